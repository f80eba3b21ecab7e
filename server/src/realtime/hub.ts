// The connections open on this node, by widget and user, and the delivery of bus events to them.
import type { BusEvent } from '../bus/types.ts';

/** What the hub needs of a socket: take an already-serialised frame (with its event id, if any). */
export interface Connection {
  readonly widgetId: number;
  readonly userId: string;
  send(frame: string, eventId?: number): void;
}

/** Splices the event id into a serialised frame body: `{"type":…}` → `{"event_id":7,"type":…}`. */
export function withEventId(body: string, eventId: number): string {
  return `{"event_id":${eventId},${body.slice(1)}`;
}

export class Hub {
  private readonly byUser = new Map<string, Set<Connection>>();

  /** Returns the number of this user's connections on this node, the new one included. */
  add(conn: Connection): number {
    const key = this.key(conn.widgetId, conn.userId);
    let set = this.byUser.get(key);
    if (!set) this.byUser.set(key, (set = new Set()));
    set.add(conn);
    return set.size;
  }

  /** Returns the number of this user's connections left on this node. */
  remove(conn: Connection): number {
    const key = this.key(conn.widgetId, conn.userId);
    const set = this.byUser.get(key);
    if (!set?.delete(conn)) return set?.size ?? 0;
    if (set.size === 0) this.byUser.delete(key);
    return set.size;
  }

  /**
   * Sends the event to every local connection of every addressed user: one string per recipient
   * user, shared by all their tabs. Returns the users it reached here.
   */
  deliver(event: BusEvent): string[] {
    const reached: string[] = [];
    for (const { userId, eventId } of event.to) {
      const set = this.byUser.get(this.key(event.widgetId, userId));
      if (!set) continue;
      const frame = eventId === undefined ? event.body : withEventId(event.body, eventId);
      for (const conn of set) conn.send(frame, eventId);
      reached.push(userId);
    }
    return reached;
  }

  connectionCount(widgetId: number, userId: string): number {
    return this.byUser.get(this.key(widgetId, userId))?.size ?? 0;
  }

  private key(widgetId: number, userId: string): string {
    return `${widgetId}\u0000${userId}`;
  }
}
