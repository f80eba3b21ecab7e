// The widget event logs: positions handed out in commit order (inside the writing transaction,
// which SQLite runs one at a time), one row per event, and the resume read.
import { type EventRowRaw, loggedEvent } from '../rows.ts';
import type { EventPage, EventRow, EventStore, LoggedEvent } from '../types.ts';
import type { Db } from './db.ts';

/** Above every position: the end of the range of a member who has not left. */
const NO_DEPARTURE = Number.MAX_SAFE_INTEGER;

/** An event to log: its row without the position (assigned here) and with the widget and the time. */
export type NewEvent = Omit<EventRow, 'eventId' | 'createdAt'> & { widgetId: number; now: number };

/** The log's head: its newest event's position, never below what pruning removed. One PK seek each. */
const HEAD = `SELECT max(coalesce((SELECT max(event_id) FROM events WHERE widget_id = :widgetId), 0),
  coalesce((SELECT pruned_through FROM event_logs WHERE widget_id = :widgetId), 0)) AS head`;

function headOf(db: Db, widgetId: number): number {
  return db.q<{ head: number }>(HEAD).get({ widgetId })!.head;
}

/**
 * Hands out log positions inside one write transaction: each widget's head is read once and
 * counted up in memory. Safe because a write transaction holds the file's only write lock; the
 * events themselves are the counter, so a commit writes no counter row (a page less to write).
 */
export class LogPositions {
  private readonly heads = new Map<number, number>();
  constructor(private readonly db: Db) {}

  next(widgetId: number): number {
    const head = this.peek(widgetId);
    this.heads.set(widgetId, head);
    return head;
  }

  /** The position the next event of the widget would get, without taking it. */
  peek(widgetId: number): number {
    return (this.heads.get(widgetId) ?? headOf(this.db, widgetId)) + 1;
  }
}

/** Runs fn in a write transaction with a position allocator. */
export function writeLogged<R>(db: Db, fn: (log: LogPositions) => R): R {
  return db.write(() => fn(new LogPositions(db)));
}

/**
 * Appends an event to its widget's log. Unless `dialogTouched` (the caller updates the dialog row
 * itself, with last_event_id), the dialog is marked as changed at this position.
 */
export function logEvent(db: Db, log: LogPositions, e: NewEvent, dialogTouched = false): EventRow {
  const eventId = log.next(e.widgetId);
  db.q(
    `INSERT INTO events (widget_id, event_id, dialog_id, kind, user_id, seq, message_id, only_user_id, created_at)
     VALUES (:widgetId, :eventId, :dialogId, :kind, :userId, :seq, :messageId, :onlyUserId, :now)`,
  ).run({ ...e, eventId });
  if (!dialogTouched) {
    db.q('UPDATE dialogs SET last_event_id = :eventId WHERE widget_id = :widgetId AND id = :dialogId').run({
      widgetId: e.widgetId,
      dialogId: e.dialogId,
      eventId,
    });
  }
  return {
    eventId,
    dialogId: e.dialogId,
    kind: e.kind,
    userId: e.userId,
    seq: e.seq,
    messageId: e.messageId,
    onlyUserId: e.onlyUserId,
    createdAt: e.now,
  };
}


export function eventStore(db: Db): EventStore {
  return {
    async logHead(widgetId) {
      return headOf(db, widgetId);
    },

    async readEvents(widgetId, userId, afterId, limit): Promise<EventPage> {
      return db.read(() => {
        const head = headOf(db, widgetId);
        const pruned = db.q<{ p: number }>('SELECT pruned_through AS p FROM event_logs WHERE widget_id = :widgetId').get({ widgetId })?.p ?? 0;
        if (afterId === head) return { head, events: [], complete: true };
        if (afterId > head || afterId < pruned) return { head, events: [], complete: false };
        // The user's dialogs that changed after the position (one index range of their
        // memberships), then each one's events after it (one range each: from their joining, up
        // to their departure), merged by position.
        const rows = db
          .q<EventRowRaw>(
            `SELECT e.event_id, e.dialog_id, e.kind, e.user_id, e.seq, e.message_id, e.only_user_id, e.created_at,
                    m.id AS m_id, m.seq AS m_seq, m.sender_id AS m_sender_id, m.kind AS m_kind, m.text AS m_text,
                    m.client_msg_id AS m_client_msg_id, m.created_at AS m_created_at, m.system AS m_system, m.attachments AS m_attachments
             FROM dialog_members dm
             JOIN dialogs d ON d.id = dm.dialog_id AND d.last_event_id > :after AND coalesce(dm.left_event, ${NO_DEPARTURE}) > :after
             JOIN events e ON e.widget_id = dm.widget_id AND e.dialog_id = dm.dialog_id
               AND e.event_id > :after AND +e.event_id > dm.joined_event AND +e.event_id <= coalesce(dm.left_event, ${NO_DEPARTURE})
             LEFT JOIN messages m ON e.kind = 'message' AND m.id = e.message_id
             WHERE dm.widget_id = :widgetId AND dm.user_id = :userId
               AND (e.only_user_id IS NULL OR e.only_user_id = :userId)
             ORDER BY e.event_id
             LIMIT :limit`,
          )
          .all({ widgetId, userId, after: afterId, limit: limit + 1 });
        if (rows.length > limit) return { head, events: [], complete: false };
        return { head, events: rows.map(loggedEvent), complete: true };
      });
    },

    async pruneEvents(before) {
      // Per widget, the cut is the newest position logged before the time, found by bisecting the
      // log by position (times grow with positions: both follow commit order). Then one PK range.
      const widgets = db.q<{ widget_id: number }>('SELECT id AS widget_id FROM widgets').all();
      let removed = 0;
      for (const { widget_id: widgetId } of widgets) {
        removed += db.write(() => {
          const at = db.q<{ created_at: number; event_id: number }>(
            'SELECT created_at, event_id FROM events WHERE widget_id = :widgetId AND event_id >= :from ORDER BY event_id LIMIT 1',
          );
          let lo = 0;
          let hi = headOf(db, widgetId);
          while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            const row = at.get({ widgetId, from: mid });
            if (row && row.created_at < before) lo = row.event_id;
            else hi = mid - 1;
          }
          if (lo === 0) return 0;
          db.q(
            `INSERT INTO event_logs (widget_id, pruned_through) VALUES (:widgetId, :lo)
             ON CONFLICT (widget_id) DO UPDATE SET pruned_through = max(pruned_through, excluded.pruned_through)`,
          ).run({ widgetId, lo });
          return db.q('DELETE FROM events WHERE widget_id = :widgetId AND event_id <= :lo').run({ widgetId, lo }).changes;
        });
      }
      return removed;
    },
  };
}
