// Typing indicators: typing.start from a member goes to the dialog's other members (never back to
// the typist), and ends by typing.stop, by sending a message, or by expiring without a refresh.
import type { EventBus } from '../bus/types.ts';
import type { Store } from '../store/types.ts';
import { TYPING_EXPIRY_MS } from './protocol.ts';
import { publishEphemeral } from './publish.ts';

interface Active {
  timer: NodeJS.Timeout;
  others: string[];
}

export class Typing {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly expiryMs = TYPING_EXPIRY_MS,
  ) {}

  /** Returns false when the user is not a member of the dialog. */
  async start(widgetId: number, userId: string, dialogId: number): Promise<boolean> {
    const k = key(widgetId, dialogId, userId);
    const current = this.active.get(k);
    if (current) {
      current.timer.refresh();
      return true;
    }
    const members = await this.store.getMemberIds(widgetId, dialogId);
    if (!members.includes(userId)) return false;
    if (this.active.has(k)) return true;
    const others = members.filter((m) => m !== userId);
    const timer = setTimeout(() => void this.stop(widgetId, userId, dialogId), this.expiryMs);
    timer.unref();
    this.active.set(k, { timer, others });
    await publishEphemeral(this.bus, widgetId, others, { type: 'typing.start', dialog_id: dialogId, user_id: userId });
    return true;
  }

  async stop(widgetId: number, userId: string, dialogId: number): Promise<void> {
    const k = key(widgetId, dialogId, userId);
    const current = this.active.get(k);
    if (!current) return;
    clearTimeout(current.timer);
    this.active.delete(k);
    await publishEphemeral(this.bus, widgetId, current.others, { type: 'typing.stop', dialog_id: dialogId, user_id: userId });
  }

  close(): void {
    for (const a of this.active.values()) clearTimeout(a.timer);
    this.active.clear();
  }
}

function key(widgetId: number, dialogId: number, userId: string): string {
  return `${widgetId}\u0000${dialogId}\u0000${userId}`;
}
