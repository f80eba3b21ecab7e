// Who is online, since when they were away, and who is typing where. Live frames update it; the
// direct dialogs' members_state seeds it (presence is shown for direct dialogs only).
import { signal } from '@preact/signals-core';
import { TYPING_EXPIRY_MS, type Dialog } from '@imbachat/server/protocol';

export interface Seen {
  online: boolean;
  last_seen_at: string | null;
}

export class PresenceModel {
  readonly users = signal<Record<string, Seen>>({});
  /** dialog id → user ids typing there. */
  readonly typing = signal<Record<number, string[]>>({});
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Users whose state came from a live frame on the current connection: newer than any snapshot. */
  readonly #live = new Set<string>();

  /** members_state from a dialog the server sent: a snapshot no newer than live frames. */
  seed(dialog: Dialog, meId: string): void {
    const states = (dialog.type === 'direct' && dialog.members_state) || [];
    let next: Record<string, Seen> | null = null;
    for (const s of states) {
      const known = this.users.peek()[s.user_id];
      if (s.user_id === meId || this.#live.has(s.user_id) || (known && known.online === s.online && known.last_seen_at === s.last_seen_at)) continue;
      next ??= { ...this.users.peek() };
      next[s.user_id] = { online: s.online, last_seen_at: s.last_seen_at };
    }
    if (next) this.users.value = next;
  }

  /** The link dropped: frames may be missed, so the next snapshot is believed again. */
  forgetLive(): void {
    this.#live.clear();
  }

  set(userId: string, seen: Seen): void {
    this.#live.add(userId);
    this.users.value = { ...this.users.peek(), [userId]: seen };
    if (!seen.online) this.stopTyping(userId);
  }

  startTyping(dialogId: number, userId: string): void {
    const key = `${dialogId}:${userId}`;
    clearTimeout(this.#timers.get(key));
    this.#timers.set(key, setTimeout(() => this.stopTyping(userId, dialogId), TYPING_EXPIRY_MS));
    const current = this.typing.peek()[dialogId] ?? [];
    if (!current.includes(userId)) this.typing.value = { ...this.typing.peek(), [dialogId]: [...current, userId] };
  }

  stopTyping(userId: string, dialogId?: number): void {
    const next = { ...this.typing.peek() };
    let changed = false;
    for (const id of Object.keys(next).map(Number)) {
      if (dialogId !== undefined && id !== dialogId) continue;
      const list = next[id] ?? [];
      if (!list.includes(userId)) continue;
      clearTimeout(this.#timers.get(`${id}:${userId}`));
      next[id] = list.filter((u) => u !== userId);
      changed = true;
    }
    if (changed) this.typing.value = next;
  }

  dispose(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
  }
}
