// Group changes on PostgreSQL (a plan made by dialogs/rules.ts, applied under the widget's write
// turn if the dialog is still at the version it was planned on), mute, and read-by from the
// recorded read moves. Group changes are rare: each step is its own statement, for clarity.
import { sortReaders } from '../rows.ts';
import type { DialogStore, EventRow, GroupPlan, LoggedMessage, MessageRow, SystemMessageInput } from '../types.ts';
import type { Conn, Db } from './db.ts';
import { type LogPositions, toEvent, writeLogged } from './events.ts';

type GroupPart = Pick<DialogStore, 'applyGroupChange' | 'setMuted' | 'readBy'>;

const SQL = {
  dialog: 'SELECT type, version, last_seq FROM dialogs WHERE widget_id = :widgetId AND id = :dialogId',
  role: `UPDATE dialog_members SET role = :role
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member'`,
  // A user who left or was removed before comes back as a new member.
  add: `INSERT INTO dialog_members (widget_id, dialog_id, user_id, role, activity_at, joined_at, joined_seq, joined_event)
    SELECT :widgetId, :dialogId, u, 'member', :now, :now, :joinedSeq, :joinedEvent FROM unnest(:userIds::text[]) AS u
    ON CONFLICT (dialog_id, user_id) DO UPDATE SET role = 'member', membership = 'member', activity_at = excluded.activity_at,
      joined_at = excluded.joined_at, joined_seq = excluded.joined_seq, joined_event = excluded.joined_event,
      left_seq = NULL, left_event = NULL, left_at = NULL, unread_count = 0
    WHERE dialog_members.membership <> 'member'`,
  message: `
    WITH msg AS (
      INSERT INTO messages (widget_id, dialog_id, seq, sender_id, kind, text, client_msg_id, created_at, system)
      VALUES (:widgetId, :dialogId, :seq, NULL, 'system', :text, NULL, :now, :system::json) RETURNING id
    ),
    ev AS (
      INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
      SELECT :widgetId, :eventId, :dialogId, 'message', :actorId, :seq, msg.id, NULL, :now FROM msg
    )
    SELECT id FROM msg`,
  depart: `UPDATE dialog_members SET membership = :how, role = 'member', left_seq = :seq, left_at = :now, activity_at = :now
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member'`,
  dialogEvent: `INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
    VALUES (:widgetId, :eventId, :dialogId, 'dialog', :actorId, 0, NULL, NULL, :now)`,
  departedEvent: `UPDATE dialog_members SET left_event = :eventId
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = ANY(:userIds::text[])`,
  finish: `UPDATE dialogs SET version = version + 1, last_event_id = :eventId, last_seq = :seq,
      member_count = (SELECT count(*) FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'),
      last_message_id = coalesce(:messageId::bigint, last_message_id),
      updated_at = CASE WHEN :messageId::bigint IS NULL THEN updated_at ELSE :now END
    WHERE widget_id = :widgetId AND id = :dialogId`,
  activity: `UPDATE dialog_members SET activity_at = :now WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'`,
  // What you did you have seen: the actor's read position moves to it, as a send's does.
  actorRead: `
    WITH moved AS (
      UPDATE dialog_members SET last_read_seq = :seq, last_delivered_seq = greatest(last_delivered_seq, :seq), unread_count = 0
      WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member' AND last_read_seq < :seq
      RETURNING user_id
    )
    INSERT INTO read_moves (widget_id, dialog_id, user_id, seq, at) SELECT :widgetId, :dialogId, user_id, :seq, :now FROM moved
    ON CONFLICT DO NOTHING`,
  memberIds: `SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'
    ORDER BY joined_at, user_id`,
  mute: `
    WITH me AS (
      SELECT muted FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member'
    ),
    changed AS (
      UPDATE dialog_members SET muted = :muted
      WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member' AND muted <> :muted
      RETURNING user_id
    ),
    ev AS (
      INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
      SELECT :widgetId, :eventId, :dialogId, 'dialog', :userId, 0, NULL, :userId, :now FROM changed
    ),
    dialog AS (UPDATE dialogs SET last_event_id = :eventId FROM changed WHERE dialogs.widget_id = :widgetId AND dialogs.id = :dialogId)
    SELECT EXISTS (SELECT 1 FROM me) AS member, EXISTS (SELECT 1 FROM changed) AS changed`,
  readBy: `
    WITH target AS (SELECT seq, sender_id FROM messages WHERE widget_id = :widgetId AND dialog_id = :dialogId AND id = :messageId)
    SELECT target.seq, target.sender_id AS "senderId", m.user_id AS "userId", r.at AS "readAt"
    FROM target
    LEFT JOIN dialog_members m ON m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.membership = 'member' AND m.last_read_seq >= target.seq
      AND m.user_id IS DISTINCT FROM target.sender_id
    LEFT JOIN LATERAL (
      SELECT r.at FROM read_moves r
      WHERE r.widget_id = m.widget_id AND r.dialog_id = m.dialog_id AND r.user_id = m.user_id AND r.seq >= target.seq
      ORDER BY r.seq LIMIT 1
    ) r ON true`,
};

export function groupStore(db: Db): GroupPart {
  return {
    async applyGroupChange(widgetId, dialogId, version, plan: GroupPlan, now) {
      return writeLogged(db, [widgetId], async (c, log) => {
        const d = await c.get<{ type: string; version: number; last_seq: number }>(SQL.dialog, { widgetId, dialogId });
        if (!d || d.type !== 'group' || d.version !== version || !log.has(widgetId)) return { kind: 'conflict' as const };
        const at = { widgetId, dialogId };
        const actorId = plan.actorId ?? '';
        let seq = d.last_seq;
        for (const r of plan.roles ?? []) await c.run(SQL.role, { ...at, userId: r.userId, role: r.role });
        if (plan.set) await setFields(c, widgetId, dialogId, plan.set);
        if (plan.add?.length) {
          await c.run(SQL.add, { ...at, userIds: plan.add, now, joinedSeq: d.last_seq, joinedEvent: log.peek(widgetId) - 1 });
        }
        const post = async (m: SystemMessageInput): Promise<LoggedMessage> => {
          seq += 1;
          const eventId = log.next(widgetId);
          const { id } = (await c.get<{ id: number }>(SQL.message, { ...at, seq, text: m.text, now, system: JSON.stringify(m.system), eventId, actorId }))!;
          const message: MessageRow = { id, dialogId, seq, senderId: null, kind: 'system', text: m.text, clientMsgId: null, createdAt: now, system: m.system, attachments: [] };
          return { message, event: toEvent({ widgetId, dialogId, kind: 'message', userId: actorId, seq, messageId: id, onlyUserId: null, now }, eventId) };
        };
        const messages: LoggedMessage[] = [];
        for (const m of plan.messages) messages.push(await post(m));
        const departingSee = messages.length;
        const departed: string[] = [];
        for (const p of plan.depart ?? []) {
          if ((await c.run(SQL.depart, { ...at, userId: p.userId, how: p.how, seq, now })) > 0) departed.push(p.userId);
        }
        const dialogEventId = log.next(widgetId);
        await c.run(SQL.dialogEvent, { ...at, eventId: dialogEventId, actorId, now });
        const event: EventRow = toEvent({ widgetId, dialogId, kind: 'dialog', userId: actorId, seq: 0, messageId: null, onlyUserId: null, now }, dialogEventId);
        if (departed.length) await c.run(SQL.departedEvent, { ...at, eventId: dialogEventId, userIds: departed });
        for (const m of plan.followUps ?? []) messages.push(await post(m));
        const last = messages.at(-1);
        const lastEventId = last && last.event.eventId > dialogEventId ? last.event.eventId : dialogEventId;
        await c.run(SQL.finish, { ...at, eventId: lastEventId, seq, messageId: last?.message.id ?? null, now });
        if (last) {
          await c.run(SQL.activity, { ...at, now });
          if (plan.actorId !== null) await c.run(SQL.actorRead, { ...at, userId: plan.actorId, seq, now });
        }
        const memberIds = (await c.all<{ user_id: string }>(SQL.memberIds, at)).map((r) => r.user_id);
        return { kind: 'applied' as const, messages, departingSee, event, memberIds, departed };
      });
    },

    async setMuted(widgetId, dialogId, userId, muted, now) {
      return writeLogged(db, [widgetId], async (c, log: LogPositions) => {
        if (!log.has(widgetId)) return null;
        const eventId = log.peek(widgetId);
        const r = (await c.get<{ member: boolean; changed: boolean }>(SQL.mute, { widgetId, dialogId, userId, muted, eventId, now }))!;
        if (!r.member) return null;
        if (!r.changed) return { event: null };
        log.next(widgetId);
        return { event: toEvent({ widgetId, dialogId, kind: 'dialog', userId, seq: 0, messageId: null, onlyUserId: userId, now }, eventId) };
      });
    },

    async readBy(widgetId, dialogId, messageId) {
      const rows = await db.all<{ seq: number; senderId: string | null; userId: string | null; readAt: number | null }>(SQL.readBy, { widgetId, dialogId, messageId });
      if (rows.length === 0) return null;
      const readers = rows.flatMap((r) => (r.userId === null ? [] : [{ userId: r.userId, readAt: r.readAt }]));
      return { seq: rows[0]!.seq, senderId: rows[0]!.senderId, readers: sortReaders(readers) };
    },
  };
}

async function setFields(c: Conn, widgetId: number, dialogId: number, set: NonNullable<GroupPlan['set']>): Promise<void> {
  const columns: Array<[string, unknown]> = [];
  if (set.title !== undefined) columns.push(['title', set.title]);
  if (set.avatarUrl !== undefined) columns.push(['avatar_url', set.avatarUrl]);
  if (set.history !== undefined) columns.push(['history', set.history]);
  if (columns.length === 0) return;
  const params: Record<string, unknown> = { widgetId, dialogId };
  for (const [col, v] of columns) params[col] = v;
  await c.run(`UPDATE dialogs SET ${columns.map(([col]) => `${col} = :${col}`).join(', ')} WHERE widget_id = :widgetId AND id = :dialogId`, params);
}
