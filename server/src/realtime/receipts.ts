// Delivered receipts: when a message.new reaches a recipient's connection, their delivered position
// moves. Arrivals in the same tick are merged, so a burst costs one write per dialog and user.
import type { Logger } from 'pino';

export type MarkDelivered = (widgetId: number, userId: string, target: { dialogId: number; seq: number }) => Promise<void>;

export class DeliveryTracker {
  private pending = new Map<string, { widgetId: number; userId: string; dialogId: number; seq: number }>();
  private scheduled = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly mark: MarkDelivered,
    private readonly log: Logger,
  ) {}

  reached(widgetId: number, userId: string, dialogId: number, seq: number): void {
    const k = `${widgetId}\u0000${dialogId}\u0000${userId}`;
    const prev = this.pending.get(k);
    if (!prev || prev.seq < seq) this.pending.set(k, { widgetId, userId, dialogId, seq });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.running = this.running.then(() => this.flush());
      });
    }
  }

  /** Resolves once every arrival seen so far has been recorded. */
  async idle(): Promise<void> {
    while (this.scheduled || this.pending.size) {
      await new Promise((r) => setImmediate(r));
      await this.running;
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = [...this.pending.values()];
    this.pending.clear();
    for (const d of batch) {
      try {
        await this.mark(d.widgetId, d.userId, { dialogId: d.dialogId, seq: d.seq });
      } catch (err) {
        this.log.error({ err }, 'could not record a delivery');
      }
    }
  }
}
