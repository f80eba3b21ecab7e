// The sessions open on this node, by user topic: one bus subscription per user with sessions
// here, fanned out locally to every tab, and the delivered receipts of what reached them.
import type { BusMessage, EventBus, Receipt } from '../bus/types.ts';
import { userTopic } from '../bus/types.ts';

/** What the hub needs of a session. */
export interface HubSession {
  readonly widgetId: number;
  readonly userId: string;
  /** Takes a bus message (sending it now, or holding it while the session catches up). */
  deliver(message: BusMessage): void;
  /** Messages may have been lost on their way here: read the log from the last event sent. */
  resync(): void;
}

interface Entry {
  sessions: Set<HubSession>;
  subscribed: Promise<() => Promise<void>>;
}

export class Hub {
  private readonly topics = new Map<string, Entry>();
  /** One handler for every topic, so a subscription keeps no closure of its own. */
  private readonly onMessage = (topic: string, message: BusMessage) => this.dispatch(topic, message);
  private readonly stopGap: () => void;

  constructor(
    private readonly bus: EventBus,
    /** A message.new reached at least one session of a recipient other than its sender. */
    private readonly onReached: (widgetId: number, userId: string, receipt: Receipt) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.stopGap = bus.onGap(() => {
      for (const entry of this.topics.values()) for (const s of entry.sessions) s.resync();
    });
  }

  /** Registers the session; resolves once its user's topic is subscribed (messages from then on reach it). */
  async join(session: HubSession): Promise<void> {
    const topic = userTopic(session.widgetId, session.userId);
    let entry = this.topics.get(topic);
    if (!entry) {
      const subscribed = this.bus.subscribe(topic, this.onMessage);
      entry = { sessions: new Set(), subscribed };
      this.topics.set(topic, entry);
      subscribed.catch(this.onError);
    }
    entry.sessions.add(session);
    await entry.subscribed;
  }

  leave(session: HubSession): void {
    const topic = userTopic(session.widgetId, session.userId);
    const entry = this.topics.get(topic);
    if (!entry?.sessions.delete(session) || entry.sessions.size > 0) return;
    this.topics.delete(topic);
    entry.subscribed.then((unsubscribe) => unsubscribe()).catch(this.onError);
  }

  connectionCount(widgetId: number, userId: string): number {
    return this.topics.get(userTopic(widgetId, userId))?.sessions.size ?? 0;
  }

  close(): void {
    this.stopGap();
  }

  private dispatch(topic: string, message: BusMessage): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    let first: HubSession | undefined;
    for (const s of entry.sessions) {
      first ??= s;
      s.deliver(message);
    }
    const r = message.receipt;
    if (r && first && first.userId !== r.senderId) this.onReached(first.widgetId, first.userId, r);
  }
}
