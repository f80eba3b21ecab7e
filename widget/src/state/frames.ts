// Applies what the socket says to the models. The server sends no dialog snapshot after each
// message or read, so the list moves on from the events themselves; a dialog it does not know yet
// is fetched once, and the frames about it wait for it, in order.
import type { Dialog, ServerFrame } from '@imbachat/server/protocol';
import type { EventMap } from '../contract.ts';
import type { DialogsModel } from './dialogs.ts';
import type { SessionModel } from './session.ts';

/** The frames about conversations (a message or a read, once the list took it; receipts; typing; presence). */
export type LaterFrame = Extract<ServerFrame, { type: 'message.new' | 'message.read' | 'message.delivered' | 'typing.start' | 'typing.stop' | 'presence' }>;

/** The models the frames move here, and where the rest goes on to (state/full.ts). */
export interface FramesTarget {
  session: SessionModel;
  dialogs: DialogsModel;
  /** A dialog the server sent (its members' presence is in it). */
  seen(dialogs: Dialog[]): void;
  later(frame: LaterFrame): void;
}

export class Frames {
  /** Dialogs being fetched, by id; settles (never rejects) once the answer is in the list, or not. */
  readonly #fetching = new Map<number, Promise<void>>();
  #disposed = false;
  readonly #chat: FramesTarget;
  readonly #get: (id: number) => Promise<Dialog>;
  readonly #emit: (event: 'message', payload: EventMap['message']) => void;

  constructor(chat: FramesTarget, get: (id: number) => Promise<Dialog>, emit: (event: 'message', payload: EventMap['message']) => void) {
    this.#chat = chat;
    this.#get = get;
    this.#emit = emit;
  }

  dispose(): void {
    this.#disposed = true;
  }

  /** Adds a dialog the list does not know; concurrent asks for the same id share one request. */
  fetchDialog(id: number): Promise<void> {
    let p = this.#fetching.get(id);
    if (!p) {
      p = this.#get(id)
        .then((d) => this.#dialog(d), () => {}) // gone or unreachable: its frames still apply
        .finally(() => this.#fetching.delete(id));
      this.#fetching.set(id, p);
    }
    return p;
  }

  apply(frame: ServerFrame, waited = false): void {
    if (this.#disposed) return;
    const c = this.#chat;
    const me = c.session.userId;
    const id = frame.type === 'message.new' ? frame.message.dialog_id : frame.type === 'message.read' || frame.type === 'message.delivered' ? frame.dialog_id : null;
    if (id !== null && !waited && (this.#fetching.has(id) || (frame.type === 'message.new' && !c.dialogs.byId(id)))) {
      // A message in a dialog new to this list (someone wrote first, a group I was added to)
      // fetches it; until it is in, the frames about it queue behind the answer.
      void this.fetchDialog(id).then(() => this.apply(frame, true));
      return;
    }
    switch (frame.type) {
      case 'ready':
        c.session.me.value = { ...(c.session.me.peek() ?? {}), ...frame.user };
        return;
      case 'message.new':
        c.dialogs.noteMessage(frame.message);
        // System messages (who joined, a rename) are no one's: the page hears of people's messages.
        if (frame.message.sender_id !== me && frame.message.kind !== 'system') this.#emit('message', { message: frame.message, dialog_id: frame.message.dialog_id });
        return c.later(frame);
      case 'dialog.updated':
        return this.#dialog(frame.dialog);
      case 'message.read':
        if (frame.user_id === me) return c.dialogs.ownRead(frame.dialog_id, frame.seq); // read in another tab
        return c.later(frame); // a tick, and who read it
      case 'message.delivered':
      case 'typing.start':
      case 'typing.stop':
      case 'presence':
        return c.later(frame);
      default:
        return; // a frame type from a newer server
    }
  }

  /** A dialog appeared (or was fetched): merged, so a stale snapshot never rolls the list back. */
  #dialog(d: Dialog): void {
    this.#chat.seen([d]);
    this.#chat.dialogs.upsert(d);
  }
}
