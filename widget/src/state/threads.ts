// Loads dialogs' histories into the messages model: a dialog's history (back to the first unread
// message), older pages on scroll, and what a loaded thread missed after a reconnect or a gap.
// Every failure goes to one handler; nothing lands after dispose.
import { batch } from '@preact/signals-core';
import type { TalkApi } from '../transport/talk.ts';
import type { DialogsModel } from './dialogs.ts';
import type { MessagesModel } from './messages.ts';
import type { ViewModel } from './view.ts';

const PAGE = 50;
/** Opening a dialog loads back at most this many pages to reach the first unread message. */
const UNREAD_PAGES = 10;
/** Catching up reads at most this many pages of 100; past that the thread is far behind anyway. */
const CATCH_UP_PAGES = 20;

export interface ThreadsOptions {
  userId: string;
  rest: TalkApi;
  dialogs: DialogsModel;
  messages: MessagesModel;
  view: ViewModel;
  /** A dialog the list does not have yet (a thread opened by id). */
  fetchDialog(id: number): Promise<void>;
  onError(err: unknown): void;
  disposed(): boolean;
}

export class Threads {
  readonly #o: ThreadsOptions;

  constructor(o: ThreadsOptions) {
    this.#o = o;
  }

  async loadThread(dialogId: number): Promise<void> {
    const thread = this.#o.messages.thread(dialogId);
    const status = thread.status.peek();
    if (status === 'loading') return;
    if (status === 'loaded') return this.catchUp(dialogId);
    thread.status.value = 'loading';
    try {
      const page = await this.#o.rest.messages(dialogId, { limit: PAGE });
      const items = page.items;
      let cursor = page.next_cursor;
      // Opening jumps to the first unread message, so load back until it is in.
      const readUpTo = this.#unreadAfterFor(dialogId);
      for (let i = 0; readUpTo !== null && cursor && i < UNREAD_PAGES && (items[0]?.seq ?? 0) > readUpTo + 1; i++) {
        const older = await this.#o.rest.messages(dialogId, { before: cursor, limit: PAGE });
        items.unshift(...older.items);
        cursor = older.next_cursor;
      }
      if (this.#o.disposed()) return;
      batch(() => {
        thread.merge(items);
        thread.olderCursor.value = cursor;
        thread.status.value = 'loaded';
      });
      if (!this.#o.dialogs.byId(dialogId)) void this.#o.fetchDialog(dialogId);
    } catch (err) {
      if (this.#o.disposed()) return;
      thread.status.value = 'error';
      this.#o.onError(err);
    }
  }

  async loadOlder(dialogId: number): Promise<void> {
    const thread = this.#o.messages.thread(dialogId);
    const cursor = thread.olderCursor.peek();
    if (!cursor || thread.loadingOlder.peek()) return;
    thread.loadingOlder.value = true;
    try {
      const page = await this.#o.rest.messages(dialogId, { before: cursor, limit: PAGE });
      batch(() => {
        thread.merge(page.items);
        thread.olderCursor.value = page.next_cursor;
      });
    } catch (err) {
      this.#o.onError(err);
    } finally {
      thread.loadingOlder.value = false;
    }
  }

  /** Fetches what a loaded thread missed (after a reconnect or a seq gap), page by page. */
  async catchUp(dialogId: number): Promise<void> {
    const thread = this.#o.messages.existing(dialogId);
    if (!thread || thread.status.peek() !== 'loaded') return;
    try {
      for (let i = 0; i < CATCH_UP_PAGES; i++) {
        const page = await this.#o.rest.messages(dialogId, { after: thread.lastSeq(), limit: 100 });
        if (this.#o.disposed()) return;
        thread.merge(page.items);
        if (!page.next_cursor || page.items.length === 0) break;
      }
    } catch (err) {
      this.#o.onError(err);
    }
  }

  /** After a reconnect that could not resume: every loaded thread from its last seq. */
  async catchUpAll(): Promise<void> {
    for (const thread of this.#o.messages.all()) await this.catchUp(thread.dialogId);
  }

  #unreadAfterFor(dialogId: number): number | null {
    const v = this.#o.view.view.peek();
    return v.kind === 'dialog' && v.id === dialogId ? this.#o.view.unreadAfter.peek() : null;
  }
}
