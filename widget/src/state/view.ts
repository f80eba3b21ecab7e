// What the panel shows: open or closed, the list or one dialog, and a notice for the user.
import { signal } from '@preact/signals-core';

export type View = { kind: 'list' } | { kind: 'dialog'; id: number } | { kind: 'opening'; userId: string };

export class ViewModel {
  readonly open = signal(false);
  readonly view = signal<View>({ kind: 'list' });
  /** A plain-words note shown above the list (e.g. "This person can't be found"); an i18n key. */
  readonly notice = signal<string | null>(null);
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
