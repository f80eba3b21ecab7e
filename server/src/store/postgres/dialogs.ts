// Dialogs and their members on PostgreSQL: opening a direct dialog (insert-or-get on its pair),
// creating a group, a member's view of one dialog and their dialog list, each one statement.
// Group changes, mute and read-by are in groups.ts.
import { type MembershipRaw, type ViewRaw, dialogView, memberState, membershipRow, messageRow } from '../rows.ts';
import type { DialogCursor, DialogStore, DialogView, MemberState, MessageKind, StoredAttachment, SystemEvent } from '../types.ts';
import type { Db } from './db.ts';
import { toEvent, writeLogged } from './events.ts';
import { groupStore } from './groups.ts';

interface ViewRow extends ViewRaw {
  lm_id: number | null;
  lm_seq: number;
  lm_sender_id: string | null;
  lm_kind: MessageKind;
  lm_text: string;
  lm_client_msg_id: string | null;
  lm_created_at: number;
  lm_system: SystemEvent | null;
  lm_attachments: StoredAttachment[] | null;
  members: Array<Omit<MemberState, 'muted'> & { muted: boolean }> | null;
}

/** An empty direct dialog is listed only for whoever opened it; groups are listed for everyone in them. */
const VISIBLE = `(d.last_seq > 0 OR d.type = 'group' OR d.created_by = :userId)`;

/**
 * The views of the member rows the page selects (`m` joined with its dialog `d`), with the last
 * message and every current member's state, in one statement: one snapshot and one round trip.
 * The page is cut first, so the members are gathered for the listed dialogs only. A departed
 * viewer sees the dialog as it stood at their departure (its last seq and message are their
 * departure's; its time is when they went).
 */
const views = (page: string) => `
  WITH page AS MATERIALIZED (
    SELECT d.id, d.type, d.title, d.avatar_url, d.history, d.version, d.member_count,
           CASE WHEN m.membership = 'member' THEN d.last_seq ELSE coalesce(m.left_seq, 0) END AS last_seq,
           CASE WHEN m.membership = 'member' THEN d.last_message_id
                ELSE (SELECT x.id FROM messages x WHERE x.widget_id = m.widget_id AND x.dialog_id = m.dialog_id AND x.seq = m.left_seq) END AS last_message_id,
           CASE WHEN m.membership = 'member' THEN d.updated_at ELSE coalesce(m.left_at, d.updated_at) END AS updated_at,
           m.widget_id, m.last_read_seq, m.unread_count, m.membership, m.muted, m.joined_seq, m.activity_at
    FROM dialog_members m JOIN dialogs d ON d.widget_id = m.widget_id AND d.id = m.dialog_id
    ${page}
  )
  SELECT p.id, p.type, p.title, p.avatar_url, p.history, p.version, p.member_count, p.last_seq, p.updated_at,
         p.last_read_seq, p.unread_count, p.membership, p.muted, p.joined_seq, p.activity_at,
         lm.id AS lm_id, lm.seq AS lm_seq, lm.sender_id AS lm_sender_id, lm.kind AS lm_kind, lm.text AS lm_text,
         lm.client_msg_id AS lm_client_msg_id, lm.created_at AS lm_created_at, lm.system AS lm_system, lm.attachments AS lm_attachments,
         (SELECT json_agg(json_build_object('userId', o.user_id, 'lastReadSeq', o.last_read_seq,
                  'lastDeliveredSeq', o.last_delivered_seq, 'lastSeenAt', u.last_seen_at, 'role', o.role, 'joinedAt', o.joined_at,
                  'unreadCount', o.unread_count, 'muted', o.muted) ORDER BY o.joined_at, o.user_id)
          FROM dialog_members o LEFT JOIN user_states u ON u.widget_id = o.widget_id AND u.user_id = o.user_id
          WHERE o.widget_id = p.widget_id AND o.dialog_id = p.id AND o.membership = 'member') AS members
  FROM page p LEFT JOIN messages lm ON lm.id = p.last_message_id AND lm.widget_id = p.widget_id
  ORDER BY p.activity_at DESC, p.id DESC`;

const SQL = {
  one: views('WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :userId'),
  first: views(`WHERE m.widget_id = :widgetId AND m.user_id = :userId AND ${VISIBLE}
    ORDER BY m.activity_at DESC, m.dialog_id DESC LIMIT :limit`),
  after: views(`WHERE m.widget_id = :widgetId AND m.user_id = :userId
      AND (m.activity_at, m.dialog_id) < (:at::bigint, :id::bigint) AND ${VISIBLE}
    ORDER BY m.activity_at DESC, m.dialog_id DESC LIMIT :limit`),
};

const view = (r: ViewRow): DialogView =>
  dialogView(
    r,
    r.lm_id === null
      ? null
      : messageRow({
          id: r.lm_id,
          dialogId: r.id,
          seq: r.lm_seq,
          senderId: r.lm_sender_id,
          kind: r.lm_kind,
          text: r.lm_text,
          clientMsgId: r.lm_client_msg_id,
          createdAt: r.lm_created_at,
          system: r.lm_system,
          attachments: r.lm_attachments ?? [],
        }),
    (r.members ?? []).map(memberState),
  );

export function dialogStore(db: Db): DialogStore {
  return {
    ...groupStore(db),

    async openDirectDialog(widgetId, a, b, now) {
      const [x, y] = a < b ? [a, b] : [b, a];
      const pair = { widgetId, x, y };
      const FIND = 'SELECT id FROM dialogs WHERE widget_id = :widgetId AND direct_a = :x AND direct_b = :y';
      // Most opens find a dialog that exists: answered without taking the widget's write turn.
      const known = await db.get<{ id: number }>(FIND, pair);
      if (known) return { dialogId: known.id, created: false, event: null };
      return writeLogged(db, [widgetId], async (c, log) => {
        const eventId = log.peek(widgetId);
        // The unique (widget_id, direct_a, direct_b) settles it; the turn-taking means the loser of
        // a race arrives after the winner's commit and reads its row.
        const created = await c.get<{ id: number }>(
          `WITH d AS (
             INSERT INTO dialogs (widget_id, type, direct_a, direct_b, created_by, member_count, history, last_event_id, created_at, updated_at)
             VALUES (:widgetId, 'direct', :x, :y, :a, 2, 'all', :eventId, :now, :now)
             ON CONFLICT (widget_id, direct_a, direct_b) DO NOTHING RETURNING id
           ),
           members AS (
             INSERT INTO dialog_members (widget_id, dialog_id, user_id, role, activity_at, joined_at)
             SELECT :widgetId, d.id, u, 'member', :now, :now FROM d, unnest(ARRAY[:x::text, :y::text]) AS u
           ),
           ev AS (
             INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
             SELECT :widgetId, :eventId, d.id, 'dialog', :a, 0, NULL, :a, :now FROM d
           )
           SELECT id FROM d`,
          { ...pair, a, eventId, now },
        );
        if (!created) {
          const existing = (await c.get<{ id: number }>(FIND, pair))!;
          return { dialogId: existing.id, created: false, event: null };
        }
        log.next(widgetId);
        const event = toEvent({ widgetId, dialogId: created.id, kind: 'dialog', userId: a, seq: 0, messageId: null, onlyUserId: a, now }, eventId);
        return { dialogId: created.id, created: true, event };
      });
    },

    async createGroup(widgetId, group, now) {
      return writeLogged(db, [widgetId], async (c, log) => {
        // Its first message says who created it (the creator has seen it); its event, then the dialog's.
        const messageEventId = log.next(widgetId);
        const eventId = log.next(widgetId);
        const system: SystemEvent = { action: 'created', actor_id: group.creatorId, user_ids: [], title: group.title, ...(group.creatorName !== undefined && { names: { [group.creatorId]: group.creatorName } }) };
        const { id, message_id: messageId } = (await c.get<{ id: number; message_id: number }>(
          `WITH d AS (
             INSERT INTO dialogs (widget_id, type, title, created_by, member_count, last_seq, last_event_id, created_at, updated_at)
             VALUES (:widgetId, 'group', :title, :creatorId, :count, 1, :eventId, :now, :now) RETURNING id
           ),
           members AS (
             INSERT INTO dialog_members (widget_id, dialog_id, user_id, role, last_read_seq, last_delivered_seq, activity_at, joined_at)
             SELECT :widgetId, d.id, u, CASE WHEN u = :creatorId THEN 'owner' ELSE 'member' END,
                    CASE WHEN u = :creatorId THEN 1 ELSE 0 END, CASE WHEN u = :creatorId THEN 1 ELSE 0 END, :now, :now
             FROM d, unnest(:memberIds::text[]) AS u
           ),
           msg AS (
             INSERT INTO messages (widget_id, dialog_id, seq, sender_id, kind, text, client_msg_id, created_at, system)
             SELECT :widgetId, d.id, 1, NULL, 'system', :text, NULL, :now, :system::json FROM d RETURNING id
           ),
           ev AS (
             INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
             SELECT :widgetId, :messageEventId, d.id, 'message', :creatorId, 1, msg.id, NULL, :now FROM d, msg
             UNION ALL
             SELECT :widgetId, :eventId, d.id, 'dialog', :creatorId, 0, NULL, NULL, :now FROM d
           ),
           moved AS (
             INSERT INTO read_moves (widget_id, dialog_id, user_id, seq, at) SELECT :widgetId, d.id, :creatorId, 1, :now FROM d
           )
           SELECT d.id, msg.id AS message_id FROM d, msg`,
          {
            widgetId,
            title: group.title,
            creatorId: group.creatorId,
            count: group.memberIds.length,
            memberIds: group.memberIds,
            text: group.createdText,
            system: JSON.stringify(system),
            messageEventId,
            eventId,
            now,
          },
        ))!;
        await c.run('UPDATE dialogs SET last_message_id = :messageId WHERE widget_id = :widgetId AND id = :id', { widgetId, id, messageId });
        const event = toEvent({ widgetId, dialogId: id, kind: 'dialog', userId: group.creatorId, seq: 0, messageId: null, onlyUserId: null, now }, eventId);
        const messageEvent = toEvent(
          { widgetId, dialogId: id, kind: 'message', userId: group.creatorId, seq: 1, messageId, onlyUserId: null, now },
          messageEventId,
        );
        const message = { id: messageId, dialogId: id, seq: 1, senderId: null, kind: 'system' as const, text: group.createdText, clientMsgId: null, createdAt: now, system, attachments: [] };
        return { dialogId: id, event, created: { message, event: messageEvent } };
      });
    },

    async getMembership(widgetId, dialogId, userId) {
      const row = await db.get<MembershipRaw>(
        `SELECT d.type, d.history, d.last_seq, m.last_read_seq, m.membership, m.joined_seq, m.left_seq
         FROM dialog_members m JOIN dialogs d ON d.widget_id = m.widget_id AND d.id = m.dialog_id
         WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.user_id = :userId`,
        { widgetId, dialogId, userId },
      );
      return row ? membershipRow(row) : null;
    },

    async getDialogForMember(widgetId, dialogId, userId) {
      const row = await db.get<ViewRow>(SQL.one, { widgetId, dialogId, userId });
      return row ? view(row) : null;
    },

    async listDialogsForMember(widgetId, userId, cursor: DialogCursor | null, limit) {
      const rows = cursor
        ? await db.all<ViewRow>(SQL.after, { widgetId, userId, at: cursor.activityAt, id: cursor.dialogId, limit })
        : await db.all<ViewRow>(SQL.first, { widgetId, userId, limit });
      return rows.map(view);
    },

    async getMemberIds(widgetId, dialogId) {
      const rows = await db.all<{ user_id: string }>(
        `SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'
         ORDER BY joined_at, user_id`,
        { widgetId, dialogId },
      );
      return rows.map((r) => r.user_id);
    },

    async contactsOf(widgetId, userId) {
      const rows = await db.all<{ user_id: string }>(
        `SELECT DISTINCT o.user_id FROM dialog_members mine
         JOIN dialogs d ON d.widget_id = mine.widget_id AND d.id = mine.dialog_id AND d.type = 'direct'
         JOIN dialog_members o ON o.widget_id = mine.widget_id AND o.dialog_id = mine.dialog_id
         WHERE mine.widget_id = :widgetId AND mine.user_id = :userId AND o.user_id <> :userId`,
        { widgetId, userId },
      );
      return rows.map((r) => r.user_id);
    },
  };
}
