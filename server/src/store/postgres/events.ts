// The widget event logs on PostgreSQL: the per-widget lock every write takes (so positions follow
// commit order across nodes), one row per event, the resume read and pruning.
import { type EventRowRaw, loggedEvent } from '../rows.ts';
import type { EventPage, EventRow, EventStore, LoggedEvent } from '../types.ts';
import type { Conn, Db } from './db.ts';

/** An event to log: its row without the position (assigned here) and with the widget and the time. */
export type NewEvent = Omit<EventRow, 'eventId' | 'createdAt'> & { widgetId: number; now: number };

/**
 * Hands out log positions inside one write transaction, counting up from each widget's head as
 * locked by writeLogged. The head is written back once, just before commit.
 */
export class LogPositions {
  constructor(private readonly heads: Map<number, { at: number; moved: boolean }>) {}

  /** Whether the widget has a log (it exists and its row is locked for this transaction). */
  has(widgetId: number): boolean {
    return this.heads.has(widgetId);
  }

  /** The position the next event of the widget would get, without taking it. */
  peek(widgetId: number): number {
    const head = this.heads.get(widgetId);
    // No log row: the widget is gone (deleted, or never existed). Nothing may be logged for it.
    if (!head) throw new Error(`widget ${widgetId} has no event log (deleted?)`);
    return head.at + 1;
  }

  next(widgetId: number): number {
    const at = this.peek(widgetId);
    this.heads.set(widgetId, { at, moved: true });
    return at;
  }

  moved(): Array<[number, number]> {
    return [...this.heads].flatMap(([w, h]) => (h.moved ? [[w, h.at] as [number, number]] : []));
  }
}

/**
 * Runs fn in a transaction that first locks the log rows of the given widgets (in id order, so two
 * transactions never wait on each other in a circle). Why a lock and not a sequence: a reader at
 * position N must never later find an event below N committed after it read. With a sequence,
 * position 7 may commit after position 8 is already read; with writers of one widget taking turns
 * on its row, positions commit in order, and one snapshot always sees a gap-free prefix of the log.
 * The same turn-taking makes each dialog's seq (read, then written back + 1) safe under concurrent
 * writers, and settles insert-or-get races without retries. Widgets still write in parallel.
 */
export async function writeLogged<R>(db: Db, widgetIds: number[], fn: (c: Conn, log: LogPositions) => Promise<R>): Promise<R> {
  const ids = [...new Set(widgetIds)].sort((a, b) => a - b);
  // Sent as text with BEGIN and COMMIT (one round trip less each while the turn is held), so only
  // integers may go in.
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new Error(`not a widget id: ${id}`);
  let log: LogPositions | undefined;
  return db.tx(
    async (c, begun) => {
      const rows = begun as Array<{ widget_id: number; head: number }>;
      log = new LogPositions(new Map(rows.map((r) => [r.widget_id, { at: r.head, moved: false }])));
      return fn(c, log);
    },
    {
      begin: `SELECT widget_id, head FROM event_logs WHERE widget_id IN (${ids.join(', ') || 'NULL'}) ORDER BY widget_id FOR NO KEY UPDATE`,
      commit: () => log!.moved().map(([w, head]) => `UPDATE event_logs SET head = ${head} WHERE widget_id = ${w}`).join('; '),
    },
  );
}

/**
 * The row of an event the caller logged at `eventId` (events are inserted by the statements that
 * cause them, each also setting its dialog's last_event_id: one round trip per input).
 */
export const toEvent = (e: NewEvent, eventId: number): EventRow => ({
  eventId,
  dialogId: e.dialogId,
  kind: e.kind,
  userId: e.userId,
  seq: e.seq,
  messageId: e.messageId,
  onlyUserId: e.onlyUserId,
  createdAt: e.now,
});

interface RawEvent extends EventRowRaw {
  head: number;
  pruned: number;
}

// One statement, so the head, the pruned position and the events come from one snapshot. The
// events are looked for only when the position is inside the kept log; the outer row is there
// even when none are found, carrying the head.
const READ_EVENTS = `
  WITH log AS (
    SELECT coalesce((SELECT head FROM event_logs WHERE widget_id = :widgetId), 0) AS head,
           coalesce((SELECT pruned_through FROM event_logs WHERE widget_id = :widgetId), 0) AS pruned
  )
  SELECT log.head, log.pruned, p.* FROM log LEFT JOIN LATERAL (
    SELECT e.event_id, e.dialog_id, e.kind, e.user_id, e.seq, e.message_id, e.only_user_id, e.created_at,
           m.id AS m_id, m.seq AS m_seq, m.sender_id AS m_sender_id, m.kind AS m_kind, m.text AS m_text,
           m.client_msg_id AS m_client_msg_id, m.created_at AS m_created_at, m.system AS m_system, m.attachments AS m_attachments
    FROM dialog_members dm
    JOIN dialogs d ON d.widget_id = dm.widget_id AND d.id = dm.dialog_id AND d.last_event_id > :after
      AND (dm.left_event IS NULL OR dm.left_event > :after)
    -- From their joining, up to their departure's dialog event.
    JOIN events e ON e.widget_id = dm.widget_id AND e.dialog_id = dm.dialog_id
      AND e.event_id > greatest(:after, dm.joined_event) AND (dm.left_event IS NULL OR e.event_id <= dm.left_event)
    LEFT JOIN messages m ON e.kind = 'message' AND m.id = e.message_id
    WHERE dm.widget_id = :widgetId AND dm.user_id = :userId
      AND (e.only_user_id IS NULL OR e.only_user_id = :userId)
      AND :after >= log.pruned AND :after < log.head
    ORDER BY e.event_id
    LIMIT :limit
  ) p ON true
  ORDER BY p.event_id`;

/**
 * Each pruned widget's cut: the newest position logged before the time, found by bisecting its
 * log by position (times grow with positions: both follow commit order, up to the clock skew
 * between nodes, by which a cut may come early or late). One statement for every widget whose
 * oldest kept event is old enough; each step is one primary-key seek.
 */
const PRUNE_CUTS = `
  WITH RECURSIVE b(widget_id, lo, hi) AS (
    SELECT l.widget_id, l.pruned_through, l.head FROM event_logs l
    WHERE (SELECT e.created_at FROM events e WHERE e.widget_id = l.widget_id ORDER BY e.event_id LIMIT 1) < :before
    UNION ALL
    SELECT b.widget_id,
           CASE WHEN r.created_at < :before THEN r.event_id ELSE b.lo END,
           CASE WHEN r.created_at < :before THEN b.hi ELSE (b.lo + b.hi + 1) / 2 - 1 END
    FROM b LEFT JOIN LATERAL (
      SELECT e.created_at, e.event_id FROM events e
      WHERE e.widget_id = b.widget_id AND e.event_id >= (b.lo + b.hi + 1) / 2 ORDER BY e.event_id LIMIT 1
    ) r ON true
    WHERE b.lo < b.hi
  )
  SELECT widget_id, max(lo) AS cut FROM b GROUP BY widget_id`;

export function eventStore(db: Db): EventStore {
  return {
    async logHead(widgetId) {
      return (await db.get<{ head: number }>('SELECT head FROM event_logs WHERE widget_id = :widgetId', { widgetId }))?.head ?? 0;
    },

    async readEvents(widgetId, userId, afterId, limit): Promise<EventPage> {
      const rows = await db.all<RawEvent>(READ_EVENTS, { widgetId, userId, after: afterId, limit: limit + 1 });
      const { head, pruned } = rows[0]!;
      if (afterId === head) return { head, events: [], complete: true };
      if (afterId > head || afterId < pruned) return { head, events: [], complete: false };
      const found = rows.filter((r) => r.event_id !== null);
      if (found.length > limit) return { head, events: [], complete: false };
      return { head, events: found.map(loggedEvent), complete: true };
    },

    async pruneEvents(before) {
      const cuts = await db.all<{ widget_id: number; cut: number }>(PRUNE_CUTS, { before });
      let removed = 0;
      for (const { widget_id: widgetId, cut } of cuts) {
        // Per widget, one transaction: readers see the events go and the pruned position move
        // together. The deletion runs before the log row is touched, so the widget's writers wait
        // only for the last statement; one log row at a time never waits on writers in a circle.
        removed += await db.tx(async (c) => {
          // A first prune after a long stop may remove much; it is not cut off halfway.
          await c.run('SET LOCAL statement_timeout = 0');
          const n = await c.run('DELETE FROM events WHERE widget_id = :widgetId AND event_id <= :cut', { widgetId, cut });
          await c.run('UPDATE event_logs SET pruned_through = greatest(pruned_through, :cut) WHERE widget_id = :widgetId', { widgetId, cut });
          return n;
        });
      }
      return removed;
    },
  };
}
