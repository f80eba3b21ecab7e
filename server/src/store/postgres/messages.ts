// Messages and the receipts on them, written in batches on PostgreSQL: each batch method is one
// transaction under its widgets' write turn (events.ts), and each input is one or two statements.
import { MAX_SEQ } from '../../realtime/protocol.ts';
import { type MessageRaw, messageRow } from '../rows.ts';
import type { DeliveryResult, DialogType, MessageQuery, MessageRow, MessageStore, ReadInput, ReadResult, SendInput, SendResult, StoredAttachment } from '../types.ts';
import { UPLOAD_COLUMNS, type UploadRaw, pickAttachments, uploadRow } from '../attachments.ts';
import type { Conn, Db } from './db.ts';
import { type LogPositions, toEvent, writeLogged } from './events.ts';

const MESSAGE_COLUMNS = `id, dialog_id AS "dialogId", seq, sender_id AS "senderId", kind, text, client_msg_id AS "clientMsgId", created_at AS "createdAt", system, attachments`;

/** Every page stays within what the viewer may see: (lo, hi]. */
const VISIBLE = 'widget_id = :widgetId AND dialog_id = :dialogId AND seq > :lo AND seq <= :hi';
const PAGE = {
  newest: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${VISIBLE} ORDER BY seq DESC LIMIT :limit`,
  before: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${VISIBLE} AND seq < :seq ORDER BY seq DESC LIMIT :limit`,
  after: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${VISIBLE} AND seq > :seq ORDER BY seq ASC LIMIT :limit`,
};
const BY_CLIENT_ID = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE widget_id = :widgetId AND sender_id = :senderId AND client_msg_id = :clientMsgId`;

/**
 * A whole send in one statement: the current-membership check, the message at the dialog's next
 * seq (insert-or-get on the unique (widget, sender, client_msg_id): a replay, from whichever node,
 * finds the first), its event, the dialog's counters and every current member row (the list
 * position, the unread count, the sender's own read and delivered positions), and the sender's
 * read move when the send skips others' messages (read-by). The sub-statements see one snapshot,
 * so each writes from `msg` and nothing runs when the insert did not happen.
 */
const SEND = `
  WITH me AS (
    SELECT d.last_seq + 1 AS seq, m.last_read_seq FROM dialog_members m JOIN dialogs d ON d.widget_id = m.widget_id AND d.id = m.dialog_id
    WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :senderId AND m.membership = 'member'
  ),
  msg AS (
    INSERT INTO messages (widget_id, dialog_id, seq, sender_id, text, client_msg_id, created_at, attachments)
    SELECT :widgetId::int, :dialogId::bigint, me.seq, :senderId::text, :text::text, :clientMsgId::text, :now::bigint, :attachments::json FROM me
    ON CONFLICT (widget_id, sender_id, client_msg_id) DO NOTHING
    RETURNING id, seq
  ),
  ev AS (
    INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
    SELECT :widgetId, :eventId::bigint, :dialogId, 'message', :senderId, msg.seq, msg.id, NULL, :now FROM msg
  ),
  dialog AS (
    UPDATE dialogs SET last_seq = msg.seq, last_message_id = msg.id, last_event_id = :eventId, updated_at = :now
    FROM msg WHERE dialogs.widget_id = :widgetId AND dialogs.id = :dialogId
  ),
  members AS (
    UPDATE dialog_members SET activity_at = :now,
      last_read_seq = CASE WHEN user_id = :senderId THEN msg.seq ELSE last_read_seq END,
      last_delivered_seq = CASE WHEN user_id = :senderId THEN msg.seq ELSE last_delivered_seq END,
      unread_count = CASE WHEN user_id = :senderId THEN 0 ELSE unread_count + 1 END
    FROM msg WHERE dialog_members.widget_id = :widgetId AND dialog_members.dialog_id = :dialogId AND dialog_members.membership = 'member'
    RETURNING dialog_members.user_id
  ),
  moved AS (
    INSERT INTO read_moves (widget_id, dialog_id, user_id, seq, at)
    SELECT :widgetId, :dialogId, :senderId, msg.seq, :now FROM msg, me WHERE me.last_read_seq < msg.seq - 1
    ON CONFLICT DO NOTHING
  )
  SELECT EXISTS (SELECT 1 FROM me) AS member, msg.id, msg.seq, ARRAY(SELECT user_id FROM members) AS member_ids
  FROM (SELECT 1) AS one LEFT JOIN msg ON true`;

/** The current reader's row, the message read up to, and the message at the current read position. */
const READ_STATE = `
  SELECT m.last_read_seq, m.joined_seq, m.unread_count, d.last_seq, d.type, d.history, t.seq AS target_seq, t.sender_id AS target_sender,
         cur.id AS cur_id, cur.sender_id AS cur_sender
  FROM dialog_members m JOIN dialogs d ON d.widget_id = m.widget_id AND d.id = m.dialog_id
  LEFT JOIN messages t ON t.id = :messageId AND t.widget_id = m.widget_id AND t.dialog_id = m.dialog_id
  LEFT JOIN messages cur ON cur.widget_id = m.widget_id AND cur.dialog_id = m.dialog_id AND cur.seq = m.last_read_seq
  WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :userId AND m.membership = 'member'`;

/**
 * Moves the read position (reading implies delivered; unread is the text messages after it and
 * after joining), records the move (read-by), logs it, and lists whom to tell.
 */
const READ_MOVE = `
  WITH moved AS (
    UPDATE dialog_members SET last_read_seq = :seq, last_delivered_seq = greatest(last_delivered_seq, :seq),
      unread_count = (SELECT count(*) FROM messages x
        WHERE x.widget_id = :widgetId AND x.dialog_id = :dialogId AND x.seq > greatest(:seq, dialog_members.joined_seq) AND x.kind = 'text')
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId
    RETURNING unread_count
  ),
  recorded AS (
    INSERT INTO read_moves (widget_id, dialog_id, user_id, seq, at) VALUES (:widgetId, :dialogId, :userId, :seq, :now)
    ON CONFLICT DO NOTHING
  ),
  ev AS (
    INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
    VALUES (:widgetId, :eventId, :dialogId, 'read', :userId, :seq, :messageId, :onlyUserId, :now)
  ),
  dialog AS (UPDATE dialogs SET last_event_id = :eventId WHERE widget_id = :widgetId AND id = :dialogId)
  SELECT (SELECT unread_count FROM moved) AS unread_count,
    ARRAY(SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member' AND :everyone::boolean) AS member_ids`;

/** Moves the delivered position forward only; a direct dialog logs it (for the other member). */
const DELIVER = `
  WITH moved AS (
    UPDATE dialog_members SET last_delivered_seq = :seq
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND last_delivered_seq < :seq AND membership = 'member'
    RETURNING dialog_id
  ),
  dlg AS (SELECT d.type FROM dialogs d JOIN moved ON d.widget_id = :widgetId AND d.id = moved.dialog_id),
  ev AS (
    INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
    SELECT :widgetId::int, :eventId::bigint, :dialogId::bigint, 'delivered', :userId::text, :seq::int, NULL, NULL, :now::bigint
    FROM dlg WHERE dlg.type = 'direct'
    RETURNING event_id
  ),
  dialog AS (UPDATE dialogs SET last_event_id = ev.event_id FROM ev WHERE dialogs.widget_id = :widgetId AND dialogs.id = :dialogId)
  SELECT dlg.type, ARRAY(SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND dlg.type = 'direct') AS member_ids
  FROM dlg`;

async function send(c: Conn, log: LogPositions, i: SendInput): Promise<SendResult> {
  const { widgetId, dialogId, senderId, clientMsgId, now } = i;
  const byClientId = async () => {
    const found = await c.get<MessageRaw>(BY_CLIENT_ID, { widgetId, senderId, clientMsgId });
    return found ? messageRow(found) : undefined;
  };
  // No log row: the widget is gone, so nobody is a member of anything in it.
  if (!log.has(widgetId)) return { kind: 'not_member' };
  const ids = i.attachmentIds ?? [];
  let attachments: StoredAttachment[] = [];
  if (ids.length > 0) {
    // A replay finds its message before its uploads, which that message already uses. The widget's
    // write turn (events.ts) keeps another send from taking the same upload between here and the update.
    const prior = clientMsgId === null ? undefined : await byClientId();
    if (prior) return prior.dialogId === dialogId ? { kind: 'duplicate', message: prior } : { kind: 'client_msg_id_conflict' };
    const found = await c.all<UploadRaw>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE widget_id = :widgetId AND id = ANY(:ids::text[])`, { widgetId, ids });
    const picked = pickAttachments(ids, found.map(uploadRow), senderId);
    if (!Array.isArray(picked)) return picked;
    attachments = picked;
  }
  const eventId = log.peek(widgetId);
  const r = (await c.get<{ member: boolean; id: number | null; seq: number; member_ids: string[] }>(SEND, {
    widgetId,
    dialogId,
    senderId,
    text: i.text,
    clientMsgId,
    now,
    eventId,
    attachments: attachments.length ? JSON.stringify(attachments) : null,
  }))!;
  if (!r.member) return clientMsgId !== null && (await byClientId()) ? { kind: 'client_msg_id_conflict' } : { kind: 'not_member' };
  if (r.id === null) {
    const existing = (await byClientId())!;
    return existing.dialogId === dialogId ? { kind: 'duplicate', message: existing } : { kind: 'client_msg_id_conflict' };
  }
  log.next(widgetId);
  if (ids.length > 0) await c.run('UPDATE uploads SET message_id = :id, dialog_id = :dialogId WHERE widget_id = :widgetId AND id = ANY(:ids::text[])', { id: r.id, dialogId, widgetId, ids });
  const message: MessageRow = { id: r.id, dialogId, seq: r.seq, senderId, kind: 'text', text: i.text, clientMsgId, createdAt: now, system: null, attachments };
  const event = toEvent({ widgetId, dialogId, kind: 'message', userId: senderId, seq: r.seq, messageId: r.id, onlyUserId: null, now }, eventId);
  return { kind: 'created', message, event, memberIds: r.member_ids };
}

async function read(c: Conn, log: LogPositions, i: ReadInput): Promise<ReadResult> {
  const { widgetId, dialogId, userId, messageId, now } = i;
  const me = await c.get<{
    last_read_seq: number;
    joined_seq: number;
    unread_count: number;
    last_seq: number;
    type: DialogType;
    history: string;
    target_seq: number | null;
    target_sender: string | null;
    cur_id: number | null;
    cur_sender: string | null;
  }>(READ_STATE, { widgetId, dialogId, userId, messageId });
  if (!me || !log.has(widgetId)) return { kind: 'not_member' };
  // A message from before they joined a from_join group is not theirs to see, nor to read.
  const visibleAfter = me.type === 'group' && me.history === 'from_join' ? me.joined_seq : 0;
  if (me.target_seq === null || me.target_seq <= visibleAfter) return { kind: 'message_not_found' };
  const base = { kind: 'ok' as const, lastSeq: me.last_seq, dialogType: me.type };
  if (me.target_seq <= me.last_read_seq) {
    const at = { messageId: me.cur_id ?? messageId, messageSenderId: me.cur_id !== null ? me.cur_sender : me.target_sender };
    return { ...base, seq: me.last_read_seq, unreadCount: me.unread_count, ...at, event: null, memberIds: [] };
  }
  const seq = me.target_seq;
  const group = me.type === 'group';
  const onlyUserId = group ? userId : null;
  const eventId = log.next(widgetId);
  const moved = (await c.get<{ unread_count: number; member_ids: string[] }>(READ_MOVE, { widgetId, dialogId, userId, seq, messageId, onlyUserId, eventId, now, everyone: !group }))!;
  const event = toEvent({ widgetId, dialogId, kind: 'read', userId, seq, messageId, onlyUserId, now }, eventId);
  return { ...base, seq, unreadCount: moved.unread_count, messageId, messageSenderId: me.target_sender, event, memberIds: group ? [userId] : moved.member_ids };
}

async function deliver(c: Conn, log: LogPositions, i: { widgetId: number; dialogId: number; userId: string; seq: number; now: number }): Promise<DeliveryResult> {
  const { widgetId, dialogId, userId, seq, now } = i;
  if (!log.has(widgetId)) return null;
  const eventId = log.peek(widgetId);
  const r = await c.get<{ type: DialogType; member_ids: string[] }>(DELIVER, { widgetId, dialogId, userId, seq, now, eventId });
  if (!r) return null;
  if (r.type === 'group') return { seq, dialogType: r.type, event: null, memberIds: [] };
  log.next(widgetId);
  const event = toEvent({ widgetId, dialogId, kind: 'delivered', userId, seq, messageId: null, onlyUserId: null, now }, eventId);
  return { seq, dialogType: r.type, event, memberIds: r.member_ids };
}

/** Runs each input in order, one after the other: a later input sees what an earlier one wrote. */
function batch<I extends { widgetId: number }, R>(db: Db, inputs: I[], one: (c: Conn, log: LogPositions, i: I) => Promise<R>): Promise<R[]> {
  if (inputs.length === 0) return Promise.resolve([]);
  return writeLogged(
    db,
    inputs.map((i) => i.widgetId),
    async (c, log) => {
      const out: R[] = [];
      for (const i of inputs) out.push(await one(c, log, i));
      return out;
    },
  );
}

export function messageStore(db: Db): MessageStore {
  return {
    commitSends: (inputs) => batch(db, inputs, send),
    commitReads: (inputs) => batch(db, inputs, read),
    commitDeliveries: (inputs) => batch(db, inputs, deliver),
    async undelivered(widgetId, userId) {
      return db.all<{ dialogId: number; seq: number }>(
        `SELECT m.dialog_id AS "dialogId", d.last_seq AS seq FROM dialog_members m JOIN dialogs d ON d.widget_id = m.widget_id AND d.id = m.dialog_id
         WHERE m.widget_id = :widgetId AND m.user_id = :userId AND m.last_delivered_seq < d.last_seq AND m.membership = 'member'`,
        { widgetId, userId },
      );
    },
    async listMessages(widgetId, dialogId, query: MessageQuery) {
      const args = { widgetId, dialogId, limit: query.limit, lo: query.visibleAfter ?? 0, hi: query.visibleThrough ?? MAX_SEQ };
      if (query.after !== undefined) return (await db.all<MessageRaw>(PAGE.after, { ...args, seq: query.after })).map(messageRow);
      const rows = query.before !== undefined ? await db.all<MessageRaw>(PAGE.before, { ...args, seq: query.before }) : await db.all<MessageRaw>(PAGE.newest, args);
      return rows.reverse().map(messageRow);
    },
  };
}
