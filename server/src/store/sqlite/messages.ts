// Messages and the receipts on them, written in batches: each batch method is one transaction,
// and each message or moved position costs one event row, whatever the number of members.
import type {
  DeliveryInput,
  DialogType,
  DeliveryResult,
  MessageQuery,
  MessageRow,
  MessageStore,
  ReadInput,
  ReadResult,
  SendInput,
  SendResult,
  StoredAttachment,
} from '../types.ts';
import { UPLOAD_COLUMNS, type UploadRaw, pickAttachments, uploadRow } from '../attachments.ts';
import { type MessageRaw, messageRow } from '../rows.ts';
import { MAX_SEQ } from '../../realtime/protocol.ts';
import type { Db } from './db.ts';
import { MESSAGE_COLUMNS } from './dialogs.ts';
import { type LogPositions, logEvent, writeLogged } from './events.ts';
import { recordReadMove } from './groups.ts';

/** Every page stays within what the viewer may see: (lo, hi]. */
const VISIBLE = 'widget_id = :widgetId AND dialog_id = :dialogId AND seq > :lo AND seq <= :hi';
const PAGE = {
  newest: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${VISIBLE} ORDER BY seq DESC LIMIT :limit`,
  before: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${VISIBLE} AND seq < :seq ORDER BY seq DESC LIMIT :limit`,
  after: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${VISIBLE} AND seq > :seq ORDER BY seq ASC LIMIT :limit`,
};
const BY_CLIENT_ID = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE widget_id = :widgetId AND sender_id = :senderId AND client_msg_id = :clientMsgId`;

export function messageStore(db: Db): MessageStore {
  const memberIds = (widgetId: number, dialogId: number) =>
    db
      .q<{ user_id: string }>(`SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'`)
      .all({ widgetId, dialogId })
      .map((r) => r.user_id);

  const send = (log: LogPositions, i: SendInput): SendResult => {
    const { widgetId, dialogId, senderId, clientMsgId, now } = i;
    // Current membership, the sender's read position and the dialog's last seq in one lookup.
    const dialog = db
      .q<{ last_seq: number; last_read_seq: number }>(
        `SELECT d.last_seq, m.last_read_seq FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
         WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :senderId AND m.membership = 'member'`,
      )
      .get({ widgetId, dialogId, senderId });
    const byClientId = () => {
      const found = db.q<MessageRaw>(BY_CLIENT_ID).get({ widgetId, senderId, clientMsgId });
      return found ? messageRow(found) : undefined;
    };
    if (!dialog) return clientMsgId !== null && byClientId() ? { kind: 'client_msg_id_conflict' } : { kind: 'not_member' };
    const ids = i.attachmentIds ?? [];
    let attachments: StoredAttachment[] = [];
    if (ids.length > 0) {
      // A replay finds its message before its uploads, which that message already uses.
      const prior = clientMsgId === null ? undefined : byClientId();
      if (prior) return prior.dialogId === dialogId ? { kind: 'duplicate', message: prior } : { kind: 'client_msg_id_conflict' };
      const found = db.q<UploadRaw>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE widget_id = :widgetId AND id IN (SELECT value FROM json_each(:ids))`).all({ widgetId, ids: JSON.stringify(ids) });
      const picked = pickAttachments(ids, found.map(uploadRow), senderId);
      if (!Array.isArray(picked)) return picked;
      attachments = picked;
    }
    const seq = dialog.last_seq + 1;
    // Insert-or-get on the unique (widget, sender, client_msg_id): a replay, from whichever node, finds the first.
    // (RETURNING would double the statement's cost; the row id comes from the insert itself.)
    const inserted = db
      .q(
        `INSERT INTO messages (widget_id, dialog_id, seq, sender_id, text, client_msg_id, created_at, attachments)
         VALUES (:widgetId, :dialogId, :seq, :senderId, :text, :clientMsgId, :now, :attachments)
         ON CONFLICT (widget_id, sender_id, client_msg_id) DO NOTHING`,
      )
      .run({ widgetId, dialogId, seq, senderId, text: i.text, clientMsgId, now, attachments: attachments.length ? JSON.stringify(attachments) : null });
    if (inserted.changes === 0) {
      const existing = byClientId()!;
      return existing.dialogId === dialogId ? { kind: 'duplicate', message: existing } : { kind: 'client_msg_id_conflict' };
    }
    const id = Number(inserted.lastInsertRowid);
    if (ids.length > 0) {
      db.q('UPDATE uploads SET message_id = :id, dialog_id = :dialogId WHERE widget_id = :widgetId AND id IN (SELECT value FROM json_each(:ids))').run({
        id,
        dialogId,
        widgetId,
        ids: JSON.stringify(ids),
      });
    }
    const event = logEvent(db, log, { widgetId, dialogId, kind: 'message', userId: senderId, seq, messageId: id, onlyUserId: null, now }, true);
    db.q(
      `UPDATE dialogs SET last_seq = :seq, last_message_id = :id, last_event_id = :eventId, updated_at = :now
       WHERE widget_id = :widgetId AND id = :dialogId`,
    ).run({ widgetId, dialogId, seq, id, eventId: event.eventId, now });
    // Fixed-size updates of each current member row: the list position, the unread count, and the
    // sender's own read and delivered positions (what you send you have seen).
    db.q(
      `UPDATE dialog_members SET activity_at = :now,
         last_read_seq = CASE WHEN user_id = :senderId THEN :seq ELSE last_read_seq END,
         last_delivered_seq = CASE WHEN user_id = :senderId THEN :seq ELSE last_delivered_seq END,
         unread_count = CASE WHEN user_id = :senderId THEN 0 ELSE unread_count + 1 END
       WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'`,
    ).run({ widgetId, dialogId, senderId, seq, now });
    // Read-by: a send that skips others' messages read them now; one that skips nothing reached only its own.
    if (dialog.last_read_seq < seq - 1) recordReadMove(db, widgetId, dialogId, senderId, seq, now);
    const members = memberIds(widgetId, dialogId);
    const message: MessageRow = { id, dialogId, seq, senderId, kind: 'text', text: i.text, clientMsgId, createdAt: now, system: null, attachments };
    return { kind: 'created', message, event, memberIds: members };
  };

  const read = (log: LogPositions, i: ReadInput): ReadResult => {
    const { widgetId, dialogId, userId, now } = i;
    const me = db
      .q<{ last_read_seq: number; last_seq: number; type: DialogType; history: string; joined_seq: number; unread_count: number }>(
        `SELECT m.last_read_seq, d.last_seq, d.type, d.history, m.joined_seq, m.unread_count FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
         WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :userId AND m.membership = 'member'`,
      )
      .get({ widgetId, dialogId, userId });
    if (!me) return { kind: 'not_member' };
    const target = db
      .q<{ seq: number; sender_id: string | null }>('SELECT seq, sender_id FROM messages WHERE widget_id = :widgetId AND dialog_id = :dialogId AND id = :id')
      .get({ widgetId, dialogId, id: i.messageId });
    // A message from before they joined a from_join group is not theirs to see, nor to read.
    const visibleAfter = me.type === 'group' && me.history === 'from_join' ? me.joined_seq : 0;
    if (!target || target.seq <= visibleAfter) return { kind: 'message_not_found' };
    const base = { kind: 'ok' as const, lastSeq: me.last_seq, dialogType: me.type };
    if (target.seq <= me.last_read_seq) {
      const at = db
        .q<{ id: number; sender_id: string | null }>('SELECT id, sender_id FROM messages WHERE widget_id = :widgetId AND dialog_id = :dialogId AND seq = :seq')
        .get({ widgetId, dialogId, seq: me.last_read_seq });
      const messageSenderId = at ? at.sender_id : target.sender_id;
      return { ...base, seq: me.last_read_seq, unreadCount: me.unread_count, messageId: at?.id ?? i.messageId, messageSenderId, event: null, memberIds: [] };
    }
    // Unread: the text messages after the new position (and after joining: what came before is not news).
    const { n: unreadCount } = db
      .q<{ n: number }>(
        `SELECT count(*) AS n FROM messages WHERE widget_id = :widgetId AND dialog_id = :dialogId AND seq > :from AND kind = 'text'`,
      )
      .get({ widgetId, dialogId, from: Math.max(target.seq, me.joined_seq) })!;
    db.q(
      `UPDATE dialog_members SET last_read_seq = :seq, last_delivered_seq = max(last_delivered_seq, :seq), unread_count = :unreadCount
       WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId`,
    ).run({ widgetId, dialogId, userId, seq: target.seq, unreadCount });
    recordReadMove(db, widgetId, dialogId, userId, target.seq, now);
    const onlyUserId = me.type === 'group' ? userId : null;
    const event = logEvent(db, log, { widgetId, dialogId, kind: 'read', userId, seq: target.seq, messageId: i.messageId, onlyUserId, now });
    return {
      ...base,
      seq: target.seq,
      unreadCount,
      messageId: i.messageId,
      messageSenderId: target.sender_id,
      event,
      memberIds: me.type === 'group' ? [userId] : memberIds(widgetId, dialogId),
    };
  };

  const deliver = (log: LogPositions, i: DeliveryInput): DeliveryResult => {
    const { widgetId, dialogId, userId, seq, now } = i;
    const moved = db
      .q(
        `UPDATE dialog_members SET last_delivered_seq = :seq
         WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND last_delivered_seq < :seq AND membership = 'member'`,
      )
      .run({ widgetId, dialogId, userId, seq }).changes;
    if (moved === 0) return null;
    const { type } = db.q<{ type: DialogType }>('SELECT type FROM dialogs WHERE widget_id = :widgetId AND id = :dialogId').get({ widgetId, dialogId })!;
    if (type === 'group') return { seq, dialogType: type, event: null, memberIds: [] };
    const event = logEvent(db, log, { widgetId, dialogId, kind: 'delivered', userId, seq, messageId: null, onlyUserId: null, now });
    return { seq, dialogType: type, event, memberIds: memberIds(widgetId, dialogId) };
  };

  return {
    async commitSends(inputs) {
      return inputs.length ? writeLogged(db, (log) => inputs.map((i) => send(log, i))) : [];
    },
    async commitReads(inputs) {
      return inputs.length ? writeLogged(db, (log) => inputs.map((i) => read(log, i))) : [];
    },
    async commitDeliveries(inputs) {
      return inputs.length ? writeLogged(db, (log) => inputs.map((i) => deliver(log, i))) : [];
    },
    async undelivered(widgetId, userId) {
      return db
        .q<{ dialogId: number; seq: number }>(
          `SELECT m.dialog_id AS dialogId, d.last_seq AS seq FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
           WHERE m.widget_id = :widgetId AND m.user_id = :userId AND m.last_delivered_seq < d.last_seq AND m.membership = 'member'`,
        )
        .all({ widgetId, userId });
    },
    async listMessages(widgetId, dialogId, query: MessageQuery) {
      const args = { widgetId, dialogId, limit: query.limit, lo: query.visibleAfter ?? 0, hi: query.visibleThrough ?? MAX_SEQ };
      if (query.after !== undefined) return db.q<MessageRaw>(PAGE.after).all({ ...args, seq: query.after }).map(messageRow);
      const rows = query.before !== undefined ? db.q<MessageRaw>(PAGE.before).all({ ...args, seq: query.before }) : db.q<MessageRaw>(PAGE.newest).all(args);
      return rows.reverse().map(messageRow);
    },
  };
}
