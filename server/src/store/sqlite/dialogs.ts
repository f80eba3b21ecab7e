// Dialogs and their members: opening a direct dialog (insert-or-get on its pair key), creating a
// group, a member's view of one dialog and their dialog list (one index range of their rows).
import type { DialogCursor, DialogStore, DialogType, DialogView, MemberState, MessageRow } from '../types.ts';
import type { Db } from './db.ts';
import { logEvent, writeLogged } from './events.ts';

interface ListRow {
  id: number;
  type: DialogType;
  title: string | null;
  member_count: number;
  last_seq: number;
  last_message_id: number | null;
  updated_at: number;
  last_read_seq: number;
  activity_at: number;
}

const LIST_COLUMNS = `d.id, d.type, d.title, d.member_count, d.last_seq, d.last_message_id, d.updated_at,
  m.last_read_seq, m.activity_at`;

/** An empty direct dialog is listed only for whoever opened it; groups are listed for everyone in them. */
const VISIBLE = `(d.last_seq > 0 OR d.type = 'group' OR d.created_by = :userId)`;

export const MESSAGE_COLUMNS = `id, dialog_id AS dialogId, seq, sender_id AS senderId, text, client_msg_id AS clientMsgId, created_at AS createdAt`;

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
};

/** The members of a dialog in the order they joined, with when they were last seen. */
export function membersOf(db: Db, widgetId: number, dialogIds: number[]): Map<number, MemberState[]> {
  const rows = db
    .q<{ dialog_id: number; user_id: string; last_read_seq: number; last_delivered_seq: number; last_seen_at: number | null }>(
      `SELECT m.dialog_id, m.user_id, m.last_read_seq, m.last_delivered_seq, u.last_seen_at
       FROM dialog_members m
       LEFT JOIN user_states u ON u.widget_id = m.widget_id AND u.user_id = m.user_id
       WHERE m.widget_id = :widgetId AND m.dialog_id IN (SELECT value FROM json_each(:ids))
       ORDER BY m.dialog_id, m.joined_at, m.user_id`,
    )
    .all({ widgetId, ids: JSON.stringify(dialogIds) });
  const out = new Map<number, MemberState[]>();
  for (const r of rows) {
    let list = out.get(r.dialog_id);
    if (!list) out.set(r.dialog_id, (list = []));
    list.push({ userId: r.user_id, lastReadSeq: r.last_read_seq, lastDeliveredSeq: r.last_delivered_seq, lastSeenAt: r.last_seen_at });
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
    const messages = db
      .q<MessageRow>(SQL.lastMessages)
      .all({ widgetId, ids: JSON.stringify(lastIds) });
    for (const m of messages) last.set(m.id, m);
  }
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    title: r.title,
    memberCount: r.member_count,
    lastSeq: r.last_seq,
    lastMessage: r.last_message_id === null ? null : (last.get(r.last_message_id) ?? null),
    updatedAt: r.updated_at,
    lastReadSeq: r.last_read_seq,
    activityAt: r.activity_at,
    members: members.get(r.id) ?? [],
  }));
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
    async openDirectDialog(widgetId, a, b, now) {
      const [x, y] = a < b ? [a, b] : [b, a];
      const directKey = `${x}\u0000${y}`;
      return writeLogged(db, (log) => {
        // The unique (widget_id, direct_key) settles a race between nodes: the loser reads the winner's row.
        const created = db
          .q<{ id: number }>(
            `INSERT INTO dialogs (widget_id, type, direct_key, created_by, member_count, created_at, updated_at)
             VALUES (:widgetId, 'direct', :directKey, :a, 2, :now, :now)
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
            `INSERT INTO dialogs (widget_id, type, title, created_by, member_count, created_at, updated_at)
             VALUES (:widgetId, 'group', :title, :creatorId, :count, :now, :now) RETURNING id`,
          )
          .get({ widgetId, title: group.title, creatorId: group.creatorId, count: group.memberIds.length, now })!;
        insertMembers(
          db,
          widgetId,
          id,
          group.memberIds.map((userId) => ({ userId, role: userId === group.creatorId ? 'owner' : 'member' })),
          now,
        );
        const event = logEvent(db, log, { widgetId, dialogId: id, kind: 'dialog', userId: group.creatorId, seq: 0, messageId: null, onlyUserId: null, now });
        return { dialogId: id, event };
      });
    },

    async getMembership(widgetId, dialogId, userId) {
      const row = db
        .q<{ last_seq: number; last_read_seq: number }>(
          `SELECT d.last_seq, m.last_read_seq FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id
           WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :userId`,
        )
        .get({ widgetId, dialogId, userId });
      return row ? { lastSeq: row.last_seq, lastReadSeq: row.last_read_seq } : null;
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
          'SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId ORDER BY joined_at, user_id',
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
