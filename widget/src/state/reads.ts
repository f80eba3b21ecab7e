// Marks messages read as the person sees them: while a dialog is open and the page visible, its
// newest message from someone else is posted as read once (again only if a newer one arrives).
import type { TalkApi } from '../transport/talk.ts';
import type { DialogsModel } from './dialogs.ts';
import { isMember } from './groups.ts';
import type { ChatMessage, MessagesModel } from './messages.ts';
import type { ViewModel } from './view.ts';

interface ReadsOptions {
  userId: string;
  rest: TalkApi;
  view: ViewModel;
  dialogs: DialogsModel;
  messages: MessagesModel;
  onError(err: unknown): void;
}

export class Reads {
  /** The highest seq posted as read per dialog (in flight or answered). */
  readonly #posted = new Map<number, number>();

  readonly #o: ReadsOptions;

  constructor(o: ReadsOptions) {
    this.#o = o;
  }

  /** Run inside an effect: it reads the signals that decide what is seen. */
  markSeen(): void {
    const { view, dialogs } = this.#o;
    const v = view.view.value;
    if (!view.open.value || !view.pageVisible.value || v.kind !== 'dialog') return;
    const dialogId = v.id;
    // Someone who left or was removed reads what they had; the server takes no more read marks.
    if (!isMember(dialogs.byId(dialogId))) return;
    const newest = this.#newestFromOthers(this.#o.messages.thread(dialogId).items.value);
    if (!newest || newest.id === null || newest.seq === null) return;
    const dialog = dialogs.byId(dialogId);
    const alreadyRead = dialog !== undefined && newest.seq <= dialog.last_read_seq && dialog.unread_count === 0;
    if (alreadyRead || (this.#posted.get(dialogId) ?? 0) >= newest.seq) return;
    this.#posted.set(dialogId, newest.seq);
    this.#o.rest.read(dialogId, newest.id).then(
      (answer) => {
        // The server's own count, unless a newer read (another tab) got here first.
        const d = dialogs.byId(dialogId);
        if (d && d.last_read_seq <= answer.seq) dialogs.upsert({ ...d, last_read_seq: answer.seq, unread_count: answer.unread_count });
      },
      (err: unknown) => {
        this.#posted.delete(dialogId);
        this.#o.onError(err);
      },
    );
  }

  #newestFromOthers(items: readonly ChatMessage[]): ChatMessage | undefined {
    for (let i = items.length - 1; i >= 0; i--) {
      const m = items[i];
      if (m && m.id !== null && m.seq !== null && m.sender_id !== this.#o.userId) return m;
    }
    return undefined;
  }
}
