// Loads the dialog list page by page into its model (the launcher's unread count comes from it).
// Every failure goes to one handler; nothing lands after dispose.
import { batch } from '@preact/signals-core';
import type { RestClient } from '../transport/rest.ts';
import type { DialogsModel } from './dialogs.ts';
import type { Dialog } from '@imbachat/server/protocol';

const PAGE = 50;

export interface ListOptions {
  rest: RestClient;
  dialogs: DialogsModel;
  /** A page arrived (its members' presence is in it). */
  seen(dialogs: Dialog[]): void;
  /** The dialog list has loaded (the chat may now be ready). */
  onLoaded(): void;
  onError(err: unknown): void;
  disposed(): boolean;
}

/** The first page (again, after a reconnect that could not resume), or the next one. */
export async function loadDialogs(o: ListOptions, more = false): Promise<void> {
  const { dialogs } = o;
  const cursor = more ? dialogs.nextCursor.peek() : null;
  if (more && !cursor) return;
  if (!more && dialogs.status.peek() !== 'loaded') dialogs.status.value = 'loading';
  try {
    const page = await o.rest.dialogs(cursor, PAGE);
    if (o.disposed()) return;
    batch(() => {
      o.seen(page.items);
      dialogs.mergePage(page.items);
      dialogs.nextCursor.value = page.next_cursor;
      dialogs.status.value = 'loaded';
    });
    o.onLoaded();
  } catch (err) {
    if (o.disposed()) return;
    if (dialogs.status.peek() !== 'loaded') dialogs.status.value = 'error';
    o.onError(err);
  }
}
