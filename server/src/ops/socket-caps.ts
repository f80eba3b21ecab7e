// How many sockets one user may hold on this server. Over the cap the oldest is closed, not the
// newest refused: the tab a person just opened is the one they look at, and the oldest is most
// likely forgotten. Per process: with several nodes the cap applies on each.

export interface Capped {
  readonly widgetId: number;
  readonly userId: string;
}

export class UserSocketCaps<S extends Capped> {
  /** Per user, in admission order (a Set iterates in insertion order, so the first is the oldest). */
  private readonly byUser = new Map<string, Set<S>>();

  constructor(private readonly maxPerUser: number) {}

  /** Registers the socket; returns the sockets to close to get back under the cap (oldest first). */
  admit(s: S): S[] {
    const key = `${s.widgetId}\u0000${s.userId}`;
    let set = this.byUser.get(key);
    if (!set) this.byUser.set(key, (set = new Set()));
    set.add(s);
    const evicted: S[] = [];
    for (const old of set) {
      if (set.size - evicted.length <= this.maxPerUser) break;
      evicted.push(old);
    }
    for (const old of evicted) set.delete(old);
    return evicted;
  }

  release(s: S): void {
    const key = `${s.widgetId}\u0000${s.userId}`;
    const set = this.byUser.get(key);
    if (!set?.delete(s)) return;
    if (set.size === 0) this.byUser.delete(key);
  }

  count(widgetId: number, userId: string): number {
    return this.byUser.get(`${widgetId}\u0000${userId}`)?.size ?? 0;
  }
}
