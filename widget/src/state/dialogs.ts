// The dialog list: what the server last said about each of the user's dialogs, most recent first.
import { computed, signal } from '@preact/signals';
import type { Dialog, Message, User } from '@imbachat/server/protocol';

export type LoadStatus = 'idle' | 'loading' | 'loaded' | 'error';

export interface Receipt {
  read: number;
  delivered: number;
}

export class DialogsModel {
  readonly items = signal<Dialog[]>([]);
  readonly status = signal<LoadStatus>('idle');
  readonly nextCursor = signal<string | null>(null);
  /** The partner's read and delivered positions per dialog, from members_state and live receipts. */
  readonly receipts = signal<Record<number, Receipt>>({});
  readonly unreadTotal = computed(() => this.items.value.reduce((sum, d) => sum + d.unread_count, 0));

  constructor(readonly meId: string) {}

  byId(id: number): Dialog | undefined {
    return this.items.value.find((d) => d.id === id);
  }

  withUser(userId: string): Dialog | undefined {
    return this.items.value.find((d) => partnerOf(d, this.meId).user_id === userId);
  }

  /** Merges a page from the server; dialogs it does not mention are kept (they may be on later pages). */
  mergePage(dialogs: Dialog[]): void {
    let next = this.items.value;
    for (const d of dialogs) next = upsertInto(next, d);
    this.items.value = next;
    for (const d of dialogs) this.seedReceipts(d);
  }

  upsert(dialog: Dialog): void {
    this.items.value = upsertInto(this.items.value, dialog);
    this.seedReceipts(dialog);
  }

  private seedReceipts(dialog: Dialog): void {
    const partner = partnerOf(dialog, this.meId);
    const state = dialog.members_state?.find((m) => m.user_id === partner.user_id);
    if (state) this.setReceipt(dialog.id, { read: state.last_read_seq, delivered: state.last_delivered_seq });
  }

  /** A message arrived before the dialog.updated that describes it: show it as the preview now. */
  noteMessage(message: Message): void {
    const d = this.byId(message.dialog_id);
    if (!d || (d.last_message && d.last_message.seq >= message.seq)) return;
    this.upsert({ ...d, last_message: message, updated_at: message.created_at });
  }

  setRead(dialogId: number, seq: number, unread: number): void {
    const d = this.byId(dialogId);
    if (!d || d.last_read_seq > seq) return;
    this.upsert({ ...d, last_read_seq: seq, unread_count: unread });
  }

  /** The user read up to `seq` (maybe in another tab); dialog.updated brings the exact count. */
  ownRead(dialogId: number, seq: number): void {
    const d = this.byId(dialogId);
    if (!d || d.last_read_seq >= seq) return;
    const all = (d.last_message?.seq ?? 0) <= seq;
    this.upsert({ ...d, last_read_seq: seq, unread_count: all ? 0 : d.unread_count });
  }

  /** Receipts only move forward: a stale snapshot never takes a tick away. */
  setReceipt(dialogId: number, change: Partial<Receipt>): void {
    const current = this.receipts.peek()[dialogId] ?? { read: 0, delivered: 0 };
    const read = Math.max(current.read, change.read ?? 0);
    const delivered = Math.max(current.delivered, change.delivered ?? 0, read);
    if (read !== current.read || delivered !== current.delivered) this.receipts.value = { ...this.receipts.peek(), [dialogId]: { read, delivered } };
  }
}

export function partnerOf(dialog: Dialog, meId: string): User {
  const other = dialog.members.find((m) => m.user_id !== meId) ?? dialog.members[0];
  return other ?? { user_id: '?', name: '?', avatar_url: null, profile_url: null };
}

/** Newer facts win: an older answer (a slow REST page) never rolls back a preview or a read position. */
export function mergeDialog(old: Dialog, next: Dialog): Dialog {
  const oldSeq = old.last_message?.seq ?? 0;
  const nextSeq = next.last_message?.seq ?? 0;
  const newerMessage = nextSeq >= oldSeq;
  const newerRead = next.last_read_seq >= old.last_read_seq;
  return {
    ...next,
    last_message: newerMessage ? next.last_message : old.last_message,
    updated_at: newerMessage ? next.updated_at : old.updated_at,
    last_read_seq: Math.max(old.last_read_seq, next.last_read_seq),
    unread_count: newerMessage && newerRead ? next.unread_count : old.unread_count,
  };
}

function upsertInto(list: Dialog[], dialog: Dialog): Dialog[] {
  const old = list.find((d) => d.id === dialog.id);
  const merged = old ? mergeDialog(old, dialog) : dialog;
  const rest = list.filter((d) => d.id !== dialog.id);
  rest.push(merged);
  return rest.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.id - a.id));
}
