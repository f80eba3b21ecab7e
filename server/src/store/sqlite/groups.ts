// Group changes (a plan made by dialogs/rules.ts, applied in one write transaction if the dialog is
// still at the version it was planned on), mute, and read-by from the recorded read moves.
import { sortReaders } from '../rows.ts';
import type { DialogStore, GroupPlan, LoggedMessage, MessageRow, SystemMessageInput } from '../types.ts';
import type { Db } from './db.ts';
import { type LogPositions, logEvent, writeLogged } from './events.ts';

type GroupPart = Pick<DialogStore, 'applyGroupChange' | 'setMuted' | 'readBy'>;

/** Records that the member's read position moved to `seq` (read-by reads the first move at or past a message). */
export function recordReadMove(db: Db, widgetId: number, dialogId: number, userId: string, seq: number, at: number): void {
  db.q(
    `INSERT INTO read_moves (widget_id, dialog_id, user_id, seq, at) VALUES (:widgetId, :dialogId, :userId, :seq, :at)
     ON CONFLICT (widget_id, dialog_id, user_id, seq) DO NOTHING`,
  ).run({ widgetId, dialogId, userId, seq, at });
}

const SQL = {
  dialog: 'SELECT type, version, last_seq FROM dialogs WHERE widget_id = :widgetId AND id = :dialogId',
  role: `UPDATE dialog_members SET role = :role
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member'`,
  // A user who left or was removed before comes back as a new member.
  add: `INSERT INTO dialog_members (widget_id, dialog_id, user_id, role, activity_at, joined_at, joined_seq, joined_event)
    VALUES (:widgetId, :dialogId, :userId, 'member', :now, :now, :joinedSeq, :joinedEvent)
    ON CONFLICT (dialog_id, user_id) DO UPDATE SET role = 'member', membership = 'member', activity_at = excluded.activity_at,
      joined_at = excluded.joined_at, joined_seq = excluded.joined_seq, joined_event = excluded.joined_event,
      left_seq = NULL, left_event = NULL, left_at = NULL, unread_count = 0
    WHERE dialog_members.membership <> 'member'`,
  message: `INSERT INTO messages (widget_id, dialog_id, seq, sender_id, kind, text, client_msg_id, created_at, system)
    VALUES (:widgetId, :dialogId, :seq, NULL, 'system', :text, NULL, :now, :system)`,
  depart: `UPDATE dialog_members SET membership = :how, role = 'member', left_seq = :seq, left_at = :now, activity_at = :now
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member'`,
  departedEvent: `UPDATE dialog_members SET left_event = :eventId WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId`,
  count: `SELECT count(*) AS n FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'`,
  finish: `UPDATE dialogs SET member_count = :count, version = version + 1, last_event_id = :eventId, last_seq = :seq,
      last_message_id = coalesce(:messageId, last_message_id), updated_at = CASE WHEN :messageId IS NULL THEN updated_at ELSE :now END
    WHERE widget_id = :widgetId AND id = :dialogId`,
  activity: `UPDATE dialog_members SET activity_at = :now WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'`,
  actor: `SELECT last_read_seq FROM dialog_members
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member'`,
  actorRead: `UPDATE dialog_members SET last_read_seq = :seq, last_delivered_seq = max(last_delivered_seq, :seq), unread_count = 0
    WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId`,
  memberIds: `SELECT user_id FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND membership = 'member'
    ORDER BY joined_at, user_id`,
  muted: `SELECT muted FROM dialog_members WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId AND membership = 'member'`,
  setMuted: 'UPDATE dialog_members SET muted = :muted WHERE widget_id = :widgetId AND dialog_id = :dialogId AND user_id = :userId',
  target: 'SELECT seq, sender_id FROM messages WHERE widget_id = :widgetId AND dialog_id = :dialogId AND id = :messageId',
  // Each current member at or past the message (its sender aside: their own send is not a
  // recorded move), and their first move that got there.
  readers: `SELECT m.user_id AS userId,
      (SELECT r.at FROM read_moves r WHERE r.widget_id = m.widget_id AND r.dialog_id = m.dialog_id AND r.user_id = m.user_id AND r.seq >= :seq
       ORDER BY r.seq LIMIT 1) AS readAt
    FROM dialog_members m
    WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.membership = 'member' AND m.last_read_seq >= :seq
      AND m.user_id IS NOT :senderId`,
};

export function groupStore(db: Db): GroupPart {
  return {
    async applyGroupChange(widgetId, dialogId, version, plan: GroupPlan, now) {
      return writeLogged(db, (log) => {
        const d = db.q<{ type: string; version: number; last_seq: number }>(SQL.dialog).get({ widgetId, dialogId });
        if (!d || d.type !== 'group' || d.version !== version) return { kind: 'conflict' as const };
        const at = { widgetId, dialogId };
        let seq = d.last_seq;
        for (const r of plan.roles ?? []) db.q(SQL.role).run({ ...at, userId: r.userId, role: r.role });
        if (plan.set) setFields(db, widgetId, dialogId, plan.set);
        const joinedEvent = log.peek(widgetId) - 1;
        for (const userId of plan.add ?? []) db.q(SQL.add).run({ ...at, userId, now, joinedSeq: d.last_seq, joinedEvent });
        const post = (m: SystemMessageInput): LoggedMessage => {
          seq += 1;
          const id = Number(db.q(SQL.message).run({ ...at, seq, text: m.text, now, system: JSON.stringify(m.system) }).lastInsertRowid);
          const message: MessageRow = { id, dialogId, seq, senderId: null, kind: 'system', text: m.text, clientMsgId: null, createdAt: now, system: m.system, attachments: [] };
          const event = logEvent(db, log, { widgetId, dialogId, kind: 'message', userId: plan.actorId ?? '', seq, messageId: id, onlyUserId: null, now }, true);
          return { message, event };
        };
        const seen = plan.messages.map(post);
        const departed = (plan.depart ?? []).filter((p) => db.q(SQL.depart).run({ ...at, userId: p.userId, how: p.how, seq, now }).changes > 0).map((p) => p.userId);
        const event = logEvent(db, log, { widgetId, dialogId, kind: 'dialog', userId: plan.actorId ?? '', seq: 0, messageId: null, onlyUserId: null, now }, true);
        for (const userId of departed) db.q(SQL.departedEvent).run({ ...at, userId, eventId: event.eventId });
        const messages = [...seen, ...(plan.followUps ?? []).map(post)];
        const last = messages.at(-1);
        const { n: count } = db.q<{ n: number }>(SQL.count).get(at)!;
        db.q(SQL.finish).run({ ...at, count, eventId: last && last.event.eventId > event.eventId ? last.event.eventId : event.eventId, seq, messageId: last?.message.id ?? null, now });
        if (last) {
          db.q(SQL.activity).run({ ...at, now });
          // What you did you have seen: the actor's read position moves to it, as a send's does.
          const actor = plan.actorId === null ? undefined : db.q<{ last_read_seq: number }>(SQL.actor).get({ ...at, userId: plan.actorId });
          if (actor && actor.last_read_seq < seq) {
            db.q(SQL.actorRead).run({ ...at, userId: plan.actorId, seq });
            recordReadMove(db, widgetId, dialogId, plan.actorId!, seq, now);
          }
        }
        const memberIds = db.q<{ user_id: string }>(SQL.memberIds).all(at).map((r) => r.user_id);
        return { kind: 'applied' as const, messages, departingSee: seen.length, event, memberIds, departed };
      });
    },

    async setMuted(widgetId, dialogId, userId, muted, now) {
      return writeLogged(db, (log: LogPositions) => {
        const row = db.q<{ muted: number }>(SQL.muted).get({ widgetId, dialogId, userId });
        if (!row) return null;
        if (Boolean(row.muted) === muted) return { event: null };
        db.q(SQL.setMuted).run({ widgetId, dialogId, userId, muted: muted ? 1 : 0 });
        return { event: logEvent(db, log, { widgetId, dialogId, kind: 'dialog', userId, seq: 0, messageId: null, onlyUserId: userId, now }) };
      });
    },

    async readBy(widgetId, dialogId, messageId) {
      return db.read(() => {
        const target = db.q<{ seq: number; sender_id: string | null }>(SQL.target).get({ widgetId, dialogId, messageId });
        if (!target) return null;
        const rows = db.q<{ userId: string; readAt: number | null }>(SQL.readers).all({ widgetId, dialogId, seq: target.seq, senderId: target.sender_id });
        return { seq: target.seq, senderId: target.sender_id, readers: sortReaders(rows) };
      });
    },
  };
}

function setFields(db: Db, widgetId: number, dialogId: number, set: NonNullable<GroupPlan['set']>): void {
  const columns: Array<[string, unknown]> = [];
  if (set.title !== undefined) columns.push(['title', set.title]);
  if (set.avatarUrl !== undefined) columns.push(['avatar_url', set.avatarUrl]);
  if (set.history !== undefined) columns.push(['history', set.history]);
  if (columns.length === 0) return;
  const params: Record<string, unknown> = { widgetId, dialogId };
  for (const [c, v] of columns) params[c] = v;
  db.q(`UPDATE dialogs SET ${columns.map(([c]) => `${c} = :${c}`).join(', ')} WHERE widget_id = :widgetId AND id = :dialogId`).run(params);
}
