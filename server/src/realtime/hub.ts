// The connections open on this node, by widget and user, and the delivery of bus events to them.
import type { BusEvent } from '../bus/types.ts';

/** What the hub needs of a socket: send the already-serialised frame, or drop a socket that cannot keep up. */
export interface Connection {
  readonly widgetId: number;
  readonly userId: string;
  send(frame: string): void;
}

export class Hub {
  private readonly byUser = new Map<string, Set<Connection>>();

  add(conn: Connection): void {
    const key = this.key(conn.widgetId, conn.userId);
    let set = this.byUser.get(key);
    if (!set) this.byUser.set(key, (set = new Set()));
    set.add(conn);
  }

  remove(conn: Connection): void {
    const key = this.key(conn.widgetId, conn.userId);
    const set = this.byUser.get(key);
    if (!set) return;
    set.delete(conn);
    if (set.size === 0) this.byUser.delete(key);
  }

  /** Sends the event's bytes, unchanged, to every local connection of every addressed user. */
  deliver(event: BusEvent): void {
    for (const userId of event.userIds) {
      const set = this.byUser.get(this.key(event.widgetId, userId));
      if (set) for (const conn of set) conn.send(event.frame);
    }
  }

  connectionCount(widgetId: number, userId: string): number {
    return this.byUser.get(this.key(widgetId, userId))?.size ?? 0;
  }

  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  private key(widgetId: number, userId: string): string {
    return `${widgetId}\u0000${userId}`;
  }
}
