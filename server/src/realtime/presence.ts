// Who is online: a user is online while any of their connections is open, and goes offline a
// grace period after the last one closes (so a reload does not flicker). Changes go only to people
// who share a dialog with the user; going offline stores last_seen_at.
import type { Logger } from 'pino';
import type { EventBus } from '../bus/types.ts';
import type { Store } from '../store/types.ts';
import { PRESENCE_GRACE_MS } from './protocol.ts';
import { publishEphemeral } from './publish.ts';

export class Presence {
  private readonly counts = new Map<string, number>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly graceMs = PRESENCE_GRACE_MS,
  ) {}

  isOnline(widgetId: number, userId: string): boolean {
    return this.counts.has(key(widgetId, userId));
  }

  connected(widgetId: number, userId: string): void {
    const k = key(widgetId, userId);
    const n = (this.counts.get(k) ?? 0) + 1;
    this.counts.set(k, n);
    const pending = this.graceTimers.get(k);
    if (pending) {
      // Back within the grace period: the others never saw this user leave.
      clearTimeout(pending);
      this.graceTimers.delete(k);
      return;
    }
    if (n === 1) void this.announce(widgetId, userId, true, null);
  }

  disconnected(widgetId: number, userId: string): void {
    const k = key(widgetId, userId);
    const n = (this.counts.get(k) ?? 1) - 1;
    // At 0 the entry stays (online) until the grace period ends without a new connection.
    this.counts.set(k, n);
    if (n > 0) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(k);
      this.counts.delete(k);
      void this.wentOffline(widgetId, userId);
    }, this.graceMs);
    timer.unref();
    this.graceTimers.set(k, timer);
  }

  /** Ends every grace period now (shutdown), recording last_seen_at. */
  async flush(): Promise<void> {
    const pending = [...this.graceTimers.entries()];
    for (const [k, timer] of pending) {
      clearTimeout(timer);
      this.graceTimers.delete(k);
      this.counts.delete(k);
      const [widgetId, userId] = split(k);
      await this.wentOffline(widgetId, userId);
    }
  }

  private async wentOffline(widgetId: number, userId: string): Promise<void> {
    const at = this.now();
    try {
      await this.store.setLastSeen(widgetId, userId, at);
    } catch (err) {
      this.log.error({ err }, 'could not store last_seen_at');
    }
    await this.announce(widgetId, userId, false, new Date(at).toISOString());
  }

  private async announce(widgetId: number, userId: string, online: boolean, lastSeenAt: string | null): Promise<void> {
    try {
      const contacts = await this.store.contactsOf(widgetId, userId);
      await publishEphemeral(this.bus, widgetId, contacts, { type: 'presence', user_id: userId, online, last_seen_at: lastSeenAt });
    } catch (err) {
      this.log.error({ err }, 'could not announce presence');
    }
  }
}

function key(widgetId: number, userId: string): string {
  return `${widgetId}\u0000${userId}`;
}
function split(k: string): [number, string] {
  const i = k.indexOf('\u0000');
  return [Number(k.slice(0, i)), k.slice(i + 1)];
}
