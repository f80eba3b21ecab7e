// What the panel shows: open or closed, the list or one dialog, and a notice for the user.
import { signal } from '@preact/signals-core';
import type { MessageKey } from '../i18n/en.ts';

export type View =
  | { kind: 'list' }
  | { kind: 'dialog'; id: number }
  /** On its way: the direct dialog with `userId`, or a dialog the page asked for by id. */
  | { kind: 'opening'; userId?: string }
  /** Starting a chat: picking people (and naming a group). */
  | { kind: 'new' }
  /** A group's members and settings. */
  | { kind: 'group'; id: number };

export class ViewModel {
  readonly open = signal(false);
  readonly view = signal<View>({ kind: 'list' });
  /** A plain-words note shown above the list (e.g. "This person can't be found"). */
  readonly notice = signal<MessageKey | null>(null);
  /** The document is visible (not a background tab), so opened messages count as read. */
  readonly pageVisible = signal(true);
  /** The open dialog's read position when it was opened, while it had unread messages: the
   *  "New messages" line goes after it and the dialog opens there. */
  readonly unreadAfter = signal<number | null>(null);
  /** The panel was reopened as it was left on the previous page: it does not take the focus. */
  readonly restored = signal(false);
  /** A refused message taken back for editing: the composer of that dialog takes the text. */
  readonly edit = signal<{ dialogId: number; text: string } | null>(null);
}
