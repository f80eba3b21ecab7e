// Dialogs and their members: opening a direct dialog (insert-or-get on its pair key), creating a
// group, a member's view of one dialog and their dialog list (one index range of their rows).
// Group changes, mute and read-by are in groups.ts.
import { type MemberRaw, type MembershipRaw, type MessageRaw, type ViewRaw, dialogView, memberState, membershipRow, messageRow } from '../rows.ts';
import type { DialogCursor, DialogStore, DialogView, MemberState, MessageRow, SystemEvent } from '../types.ts';
import type { Db } from './db.ts';
import { logEvent, writeLogged } from './events.ts';
import { groupStore, recordReadMove } from './groups.ts';

interface ListRow extends ViewRaw {
  last_message_id: number | null;
}

/**
 * The viewer's columns: a departed viewer sees the dialog as it stood at their departure (its
 * last seq and message are their departure's; its time is when they went).
 */
const LIST_COLUMNS = `d.id, d.type, d.title, d.avatar_url, d.history, d.version, d.member_count,
  CASE WHEN m.membership = 'member' THEN d.last_seq ELSE coalesce(m.left_seq, 0) END AS last_seq,
  CASE WHEN m.membership = 'member' THEN d.last_message_id
       ELSE (SELECT x.id FROM messages x WHERE x.widget_id = m.widget_id AND x.dialog_id = m.dialog_id AND x.seq = m.left_seq) END AS last_message_id,
  CASE WHEN m.membership = 'member' THEN d.updated_at ELSE coalesce(m.left_at, d.updated_at) END AS updated_at,
  m.last_read_seq, m.unread_count, m.membership, m.muted, m.joined_seq, m.activity_at`;

/** An empty direct dialog is listed only for whoever opened it; groups are listed for everyone in them. */
const VISIBLE = `(d.last_seq > 0 OR d.type = 'group' OR d.created_by = :userId)`;

export const MESSAGE_COLUMNS = `id, dialog_id AS dialogId, seq, sender_id AS senderId, kind, text, client_msg_id AS clientMsgId, created_at AS createdAt, system, attachments`;

// Built once: the statement cache is keyed by the SQL text.
const SQL = {
  lastMessages: `SELECT ${MESSAGE_COLUMNS} FROM messages
    WHERE id IN (SELECT value FROM json_each(:ids)) AND +widget_id = :widgetId`,
  memberDialog: `SELECT ${LIST_COLUMNS} FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
    WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :userId`,
  listAfter: `SELECT ${LIST_COLUMNS} FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
    WHERE m.widget_id = :widgetId AND m.user_id = :userId
      AND (m.activity_at, m.dialog_id) < (:at, :id) AND ${VISIBLE}
    ORDER BY m.activity_at DESC, m.dialog_id DESC LIMIT :limit`,
  listFirst: `SELECT ${LIST_COLUMNS} FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
    WHERE m.widget_id = :widgetId AND m.user_id = :userId AND ${VISIBLE}
    ORDER BY m.activity_at DESC, m.dialog_id DESC LIMIT :limit`,
  members: `SELECT m.dialog_id, m.user_id AS userId, m.last_read_seq AS lastReadSeq, m.last_delivered_seq AS lastDeliveredSeq,
      u.last_seen_at AS lastSeenAt, m.role, m.joined_at AS joinedAt, m.unread_count AS unreadCount, m.muted
    FROM dialog_members m
    LEFT JOIN user_states u ON u.widget_id = m.widget_id AND u.user_id = m.user_id
    WHERE m.widget_id = :widgetId AND m.dialog_id IN (SELECT value FROM json_each(:ids)) AND m.membership = 'member'
    ORDER BY m.dialog_id, m.joined_at, m.user_id`,
};

/** The current members of dialogs in the order they joined (ties by user id), with when they were last seen. */
export function membersOf(db: Db, widgetId: number, dialogIds: number[]): Map<number, MemberState[]> {
  const rows = db.q<MemberRaw & { dialog_id: number }>(SQL.members).all({ widgetId, ids: JSON.stringify(dialogIds) });
  const out = new Map<number, MemberState[]>();
  for (const { dialog_id: dialogId, ...r } of rows) {
    let list = out.get(dialogId);
    if (!list) out.set(dialogId, (list = []));
    list.push(memberState(r));
  }
  return out;
}

function hydrate(db: Db, widgetId: number, rows: ListRow[]): DialogView[] {
  if (rows.length === 0) return [];
  const members = membersOf(
    db,
    widgetId,
    rows.map((r) => r.id),
  );
  const lastIds = rows.flatMap((r) => (r.last_message_id === null ? [] : [r.last_message_id]));
  const last = new Map<number, MessageRow>();
  if (lastIds.length) {
    for (const m of db.q<MessageRaw>(SQL.lastMessages).all({ widgetId, ids: JSON.stringify(lastIds) })) last.set(m.id, messageRow(m));
  }
  return rows.map((r) => dialogView(r, r.last_message_id === null ? null : (last.get(r.last_message_id) ?? null), members.get(r.id) ?? []));
}

function insertMembers(db: Db, widgetId: number, dialogId: number, members: Array<{ userId: string; role: 'owner' | 'member' }>, now: number) {
  const insert = db.q(
    `INSERT INTO dialog_members (widget_id, dialog_id, user_id, role, activity_at, joined_at)
     VALUES (:widgetId, :dialogId, :userId, :role, :now, :now)`,
  );
  for (const m of members) insert.run({ widgetId, dialogId, userId: m.userId, role: m.role, now });
}

export function dialogStore(db: Db): DialogStore {
  const memberDialog = (widgetId: number, dialogId: number, userId: string) =>
    db
      .q<ListRow>(SQL.memberDialog)
      .get({ widgetId, dialogId, userId });

  return {
    ...groupStore(db),

    async openDirectDialog(widgetId, a, b, now) {
      const [x, y] = a < b ? [a, b] : [b, a];
      const directKey = `${x}\u0000${y}`;
      return writeLogged(db, (log) => {
        // The unique (widget_id, direct_key) settles a race between nodes: the loser reads the winner's row.
        const created = db
          .q<{ id: number }>(
            `INSERT INTO dialogs (widget_id, type, direct_key, created_by, member_count, history, created_at, updated_at)
             VALUES (:widgetId, 'direct', :directKey, :a, 2, 'all', :now, :now)
             ON CONFLICT (widget_id, direct_key) DO NOTHING RETURNING id`,
          )
          .get({ widgetId, directKey, a, now });
        if (!created) {
          const existing = db
            .q<{ id: number }>('SELECT id FROM dialogs WHERE widget_id = :widgetId AND direct_key = :directKey')
            .get({ widgetId, directKey })!;
          return { dialogId: existing.id, created: false, event: null };
        }
        insertMembers(db, widgetId, created.id, [{ userId: x, role: 'member' }, { userId: y, role: 'member' }], now);
        const event = logEvent(db, log, { widgetId, dialogId: created.id, kind: 'dialog', userId: a, seq: 0, messageId: null, onlyUserId: a, now });
        return { dialogId: created.id, created: true, event };
      });
    },

    async createGroup(widgetId, group, now) {
      return writeLogged(db, (log) => {
        const { id } = db
          .q<{ id: number }>(
            `INSERT INTO dialogs (widget_id, type, title, created_by, member_count, last_seq, created_at, updated_at)
             VALUES (:widgetId, 'group', :title, :creatorId, :count, 1, :now, :now) RETURNING id`,
          )
          .get({ widgetId, title: group.title, creatorId: group.creatorId, count: group.memberIds.length, now })!;
        insertMembers(
          db,
          widgetId,
          id,
          group.memberIds.map((userId) => ({ userId, role: userId === group.creatorId ? 'owner' : 'member' })),
          now,
        );
        // Its first message says who created it; the creator has seen it.
        const system: SystemEvent = { action: 'created', actor_id: group.creatorId, user_ids: [], title: group.title, ...(group.creatorName !== undefined && { names: { [group.creatorId]: group.creatorName } }) };
        const inserted = db
          .q(
            `INSERT INTO messages (widget_id, dialog_id, seq, sender_id, kind, text, client_msg_id, created_at, system)
             VALUES (:widgetId, :dialogId, 1, NULL, 'system', :text, NULL, :now, :system)`,
          )
          .run({ widgetId, dialogId: id, text: group.createdText, now, system: JSON.stringify(system) });
        const messageId = Number(inserted.lastInsertRowid);
        const message: MessageRow = { id: messageId, dialogId: id, seq: 1, senderId: null, kind: 'system', text: group.createdText, clientMsgId: null, createdAt: now, system, attachments: [] };
        const messageEvent = logEvent(db, log, { widgetId, dialogId: id, kind: 'message', userId: group.creatorId, seq: 1, messageId, onlyUserId: null, now }, true);
        db.q(
          `UPDATE dialog_members SET last_read_seq = 1, last_delivered_seq = 1
           WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :creatorId`,
        ).run({ widgetId, dialogId: id, creatorId: group.creatorId });
        recordReadMove(db, widgetId, id, group.creatorId, 1, now);
        const event = logEvent(db, log, { widgetId, dialogId: id, kind: 'dialog', userId: group.creatorId, seq: 0, messageId: null, onlyUserId: null, now }, true);
        db.q('UPDATE dialogs SET last_message_id = :messageId, last_event_id = :eventId WHERE widget_id = :widgetId AND id = :id').run({
          widgetId,
          id,
          messageId,
          eventId: event.eventId,
        });
        return { dialogId: id, event, created: { message, event: messageEvent } };
      });
    },

    async getMembership(widgetId, dialogId, userId) {
      const row = db
        .q<MembershipRaw>(
          `SELECT d.type, d.history, d.last_seq, m.last_read_seq, m.membership, m.joined_seq, m.left_seq
           FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
           WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :userId`,
        )
        .get({ widgetId, dialogId, userId });
      return row ? membershipRow(row) : null;
    },

    async getDialogForMember(widgetId, dialogId, userId) {
      return db.read(() => {
        const row = memberDialog(widgetId, dialogId, userId);
        return row ? (hydrate(db, widgetId, [row])[0] ?? null) : null;
      });
    },

    async listDialogsForMember(widgetId, userId, cursor: DialogCursor | null, limit) {
      return db.read(() => {
        const rows = cursor
          ? db
              .q<ListRow>(SQL.listAfter)
              .all({ widgetId, userId, at: cursor.activityAt, id: cursor.dialogId, limit })
          : db
              .q<ListRow>(SQL.listFirst)
              .all({ widgetId, userId, limit });
        return hydrate(db, widgetId, rows);
      });
    },

    async getMemberIds(widgetId, dialogId) {
      return db
        .q<{ user_id: string }>(
          `SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'
           ORDER BY joined_at, user_id`,
        )
        .all({ widgetId, dialogId })
        .map((r) => r.user_id);
    },

    async contactsOf(widgetId, userId) {
      return db
        .q<{ user_id: string }>(
          `SELECT DISTINCT o.user_id FROM dialog_members mine
           JOIN dialogs d ON d.id = mine.dialog_id AND d.type = 'direct'
           CROSS JOIN dialog_members o INDEXED BY dialog_members_of_dialog ON o.widget_id = mine.widget_id AND o.dialog_id = mine.dialog_id
           WHERE mine.widget_id = :widgetId AND mine.user_id = :userId AND o.user_id <> :userId`,
        )
        .all({ widgetId, userId })
        .map((r) => r.user_id);
    },
  };
}
