// How far the others got in each dialog, for the ticks and "Read by N": seeded from the dialogs'
// members_state snapshots, moved by live message.read / message.delivered frames, forward only.
import { signal } from '@preact/signals-core';
import type { Dialog } from '@imbachat/server/protocol';

export interface Receipt {
  read: number;
  delivered: number;
}

export class Receipts {
  /**
   * Per dialog, the furthest of the other members: my message shows delivered once at least one
   * of them has it, and read once at least one of them read it.
   */
  readonly furthest = signal<Record<number, Receipt>>({});
  /** Per dialog and member, live reads past the snapshot ("Read by N" counts current members). */
  readonly reads = signal<Record<number, Record<string, number>>>({});

  constructor(readonly meId: string) {}

  /** A dialog the server sent: its members' positions, never taking a tick away. */
  seed(dialog: Dialog): void {
    for (const s of dialog.members_state ?? []) if (s.user_id !== this.meId) this.set(dialog.id, { read: s.last_read_seq, delivered: s.last_delivered_seq });
  }

  /** A live receipt of someone else's. */
  set(dialogId: number, change: Partial<Receipt>, userId?: string): void {
    const byUser = this.reads.peek()[dialogId] ?? {};
    if (userId !== undefined && change.read !== undefined && change.read > (byUser[userId] ?? 0))
      this.reads.value = { ...this.reads.peek(), [dialogId]: { ...byUser, [userId]: change.read } };
    const current = this.furthest.peek()[dialogId] ?? { read: 0, delivered: 0 };
    const read = Math.max(current.read, change.read ?? 0);
    const delivered = Math.max(current.delivered, change.delivered ?? 0, read);
    if (read !== current.read || delivered !== current.delivered) this.furthest.value = { ...this.furthest.peek(), [dialogId]: { read, delivered } };
  }
}
