// Tells the others in a dialog that the person is typing: at most one typing.start per throttle
// period while they type, and one typing.stop when they stop (or send, or leave the dialog).
import { TYPING_THROTTLE_MS } from '@imbachat/server/protocol';
import type { ClientFrame } from '@imbachat/server/protocol';

export class TypingSender {
  readonly #sentAt = new Map<number, number>();

  /** `send` answers false when the frame could not go out (not connected): it is tried again. */
  readonly #send: (frame: ClientFrame) => boolean;

  constructor(send: (frame: ClientFrame) => boolean) {
    this.#send = send;
  }

  update(dialogId: number, active: boolean): void {
    const last = this.#sentAt.get(dialogId);
    if (active) {
      if (last !== undefined && Date.now() - last < TYPING_THROTTLE_MS) return;
      if (this.#send({ type: 'typing.start', dialog_id: dialogId })) this.#sentAt.set(dialogId, Date.now());
    } else if (last !== undefined) {
      this.#sentAt.delete(dialogId);
      this.#send({ type: 'typing.stop', dialog_id: dialogId });
    }
  }
}
