// The dialog list: what the server last said about each of the user's dialogs, moved on by the
// live events (the server sends no snapshot after each message or read), most recent first.
import { computed, signal } from '@preact/signals-core';
import type { Dialog, Message, User } from '@imbachat/server/protocol';

export type LoadStatus = 'idle' | 'loading' | 'loaded' | 'error';

export class DialogsModel {
  readonly items = signal<Dialog[]>([]);
  readonly status = signal<LoadStatus>('idle');
  readonly nextCursor = signal<string | null>(null);
  /** A group the user left or was removed from keeps its count, but cannot be read any more: it does not light the badge. */
  readonly unreadTotal = computed(() => this.items.value.reduce((sum, d) => sum + (d.membership === 'member' ? d.unread_count : 0), 0));

  constructor(readonly meId: string) {}

  byId(id: number): Dialog | undefined {
    return this.items.value.find((d) => d.id === id);
  }

  /** The direct dialog with that user (a group that has them in it is not "the dialog with" them). */
  withUser(userId: string): Dialog | undefined {
    return this.items.value.find((d) => partnerOf(d, this.meId)?.user_id === userId);
  }

  /** Merges a page from the server; dialogs it does not mention are kept (they may be on later pages). */
  mergePage(dialogs: Dialog[]): void {
    let next = this.items.value;
    for (const d of dialogs) next = upsertInto(next, d);
    this.items.value = next;
  }

  upsert(dialog: Dialog): void {
    this.items.value = upsertInto(this.items.value, dialog);
  }

  /**
   * A message was committed (message.new, or the answer to my POST): it becomes the preview and
   * the dialog's activity time (so it moves to the top). My own message means I have read up to
   * it; anyone else's text is one more unread (system messages are never unread, so a count is
   * not "last seq minus my read position"). Seen twice, it changes nothing.
   */
  noteMessage(m: Message): void {
    const d = this.byId(m.dialog_id);
    if (!d) return;
    const newer = m.seq > (d.last_message?.seq ?? 0);
    const mine = m.sender_id === this.meId;
    const read = mine ? Math.max(d.last_read_seq, m.seq) : d.last_read_seq;
    if (!newer && read === d.last_read_seq) return;
    const last = newer ? m : d.last_message;
    const unread = !newer ? left(d.unread_count, last, read) : mine ? 0 : d.unread_count + (m.kind === 'system' ? 0 : 1);
    this.upsert({ ...d, last_message: last, updated_at: newer ? m.created_at : d.updated_at, last_read_seq: read, unread_count: unread });
  }

  /** message.read from me (another tab read it): what is left is what came after `seq`. */
  ownRead(dialogId: number, seq: number): void {
    const d = this.byId(dialogId);
    if (!d || d.last_read_seq >= seq) return;
    this.upsert({ ...d, last_read_seq: seq, unread_count: left(d.unread_count, d.last_message, seq) });
  }
}

/** What is still unread after moving my read position to `read`: no more than before, and no
 *  more than the messages after it (some of which may be system messages, never unread). */
function left(before: number, last: Message | null, read: number): number {
  return Math.min(before, Math.max(0, (last?.seq ?? 0) - read));
}

/** The other person of a direct dialog; null for a group (it has a title, not a partner). */
export function partnerOf(dialog: Dialog, meId: string): User | null {
  if (dialog.type !== 'direct') return null;
  return dialog.members.find((m) => m.user_id !== meId) ?? dialog.members[0] ?? { user_id: '?', name: '?', avatar_url: null, profile_url: null };
}

/** Newer facts win: an older answer (a slow REST page, a dialog.updated built before the latest
 *  message) never rolls back a preview or a read position. */
export function mergeDialog(old: Dialog, next: Dialog): Dialog {
  const newer = (next.last_message?.seq ?? 0) >= (old.last_message?.seq ?? 0) ? next : old;
  const last = newer.last_message;
  const read = Math.max(old.last_read_seq, next.last_read_seq);
  // Each side's count is exact for its own message and read positions; mixed, the side with the
  // newer message counted from an older read position: at most that, less what was read since.
  const exact = [next, old].find((d) => d.last_message?.seq === last?.seq && d.last_read_seq === read);
  return {
    ...next,
    last_message: last,
    updated_at: newer.updated_at,
    last_read_seq: read,
    unread_count: exact ? exact.unread_count : left(newer.unread_count, last, read),
  };
}

function upsertInto(list: Dialog[], dialog: Dialog): Dialog[] {
  const old = list.find((d) => d.id === dialog.id);
  const merged = old ? mergeDialog(old, dialog) : dialog;
  const rest = list.filter((d) => d.id !== dialog.id);
  rest.push(merged);
  return rest.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.id - a.id));
}
