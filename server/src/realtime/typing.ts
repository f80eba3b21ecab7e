// Typing indicators: typing.start from a member goes to the dialog's other members (never back to
// the typist), each time (receivers refresh their own expiry); typing.stop goes when the typist
// stops or their entry in the TypingStore expires. A message.new from the typist ends it for
// receivers by itself (docs/protocol.md).
import type { Logger } from 'pino';
import { publishTo } from '../bus/publish.ts';
import type { EventBus } from '../bus/types.ts';
import type { TypingStore } from '../presence/types.ts';
import type { Store } from '../store/types.ts';
import { serialise } from './frames.ts';
import { TYPING_EXPIRY_MS } from './protocol.ts';

export class TypingService {
  constructor(
    private readonly store: Store,
    private readonly state: TypingStore,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly expiryMs = TYPING_EXPIRY_MS,
  ) {
    state.onExpired((widgetId, dialogId, userId) => void this.announceStop(widgetId, dialogId, userId));
  }

  /** Returns false when the user is not a member of the dialog. */
  async start(widgetId: number, userId: string, dialogId: number): Promise<boolean> {
    const members = await this.store.getMemberIds(widgetId, dialogId);
    if (!members.includes(userId)) return false;
    await this.state.start(widgetId, dialogId, userId, this.expiryMs);
    await publishTo(
      this.bus,
      widgetId,
      members.filter((m) => m !== userId),
      serialise({ type: 'typing.start', dialog_id: dialogId, user_id: userId }),
    );
    return true;
  }

  async stop(widgetId: number, userId: string, dialogId: number): Promise<void> {
    if (await this.state.stop(widgetId, dialogId, userId)) await this.announceStop(widgetId, dialogId, userId);
  }

  private async announceStop(widgetId: number, dialogId: number, userId: string): Promise<void> {
    try {
      const others = (await this.store.getMemberIds(widgetId, dialogId)).filter((m) => m !== userId);
      await publishTo(this.bus, widgetId, others, serialise({ type: 'typing.stop', dialog_id: dialogId, user_id: userId }));
    } catch (err) {
      this.log.error({ err }, 'could not announce typing.stop');
    }
  }
}
