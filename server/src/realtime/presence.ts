// Presence as the users see it: online when a first connection opens anywhere, offline a grace
// period after the last one closes (PresenceStore decides both), announced only to the people
// who share a direct dialog with the user; going offline stores last_seen_at.
import type { Logger } from 'pino';
import { publishTo } from '../bus/publish.ts';
import type { EventBus } from '../bus/types.ts';
import type { PresenceStore } from '../presence/types.ts';
import type { Store } from '../store/types.ts';
import { serialise } from './frames.ts';

export class PresenceService {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly state: PresenceStore,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    state.onOffline((widgetId, userId) => this.track(this.wentOffline(widgetId, userId)));
  }

  onlineAmong(widgetId: number, userIds: readonly string[]): Promise<Set<string>> {
    return this.state.onlineAmong(widgetId, userIds);
  }

  async connected(widgetId: number, userId: string, connectionId: string): Promise<void> {
    if (await this.state.connect(widgetId, userId, connectionId)) await this.announce(widgetId, userId, true, null);
  }

  disconnected(widgetId: number, userId: string, connectionId: string): void {
    this.state.disconnect(widgetId, userId, connectionId).catch((err) => this.log.error({ err }, 'could not record a disconnect'));
  }

  /** Ends every grace period now (shutdown), storing last_seen_at and announcing. */
  async flush(): Promise<void> {
    await this.state.flush();
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
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
      await publishTo(this.bus, widgetId, contacts, serialise({ type: 'presence', user_id: userId, online, last_seen_at: lastSeenAt }));
    } catch (err) {
      this.log.error({ err }, 'could not announce presence');
    }
  }
}
