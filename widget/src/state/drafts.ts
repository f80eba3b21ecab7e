// What the person has typed but not sent, per dialog: in the site's localStorage, so it survives a
// reload and the next page and is the same in every tab (a change in one tab reaches the others
// through the storage event), and in memory when storage is blocked.
import { signal } from '@preact/signals-core';
import type { TabStorage } from './outbox.ts';

export class Drafts {
  readonly #memory = new Map<number, string>();
  /** A draft changed in another tab: the dialog and its text (the composer takes it when idle). */
  readonly elsewhere = signal<{ dialogId: number; text: string } | null>(null);
  readonly #win = typeof window === 'undefined' ? null : window;

  /** e.g. "imbachat:draft:{dev_id}:{user_id}" */
  readonly #prefix: string;
  readonly #storage: () => TabStorage | null | undefined;

  constructor(prefix: string, storage: () => TabStorage | null | undefined) {
    this.#prefix = prefix;
    this.#storage = storage;
    this.#win?.addEventListener('storage', this.#onStorage);
  }

  dispose(): void {
    this.#win?.removeEventListener('storage', this.#onStorage);
  }

  get(dialogId: number): string {
    return this.#storage()?.getItem(this.#key(dialogId)) ?? this.#memory.get(dialogId) ?? '';
  }

  set(dialogId: number, text: string): void {
    this.#memory.set(dialogId, text);
    const s = this.#storage();
    try {
      if (text) s?.setItem(this.#key(dialogId), text);
      else s?.removeItem(this.#key(dialogId));
    } catch {
      // storage full or blocked: the in-memory draft still works
    }
  }

  readonly #onStorage = (e: StorageEvent) => {
    if (!e.key?.startsWith(`${this.#prefix}:`)) return;
    const dialogId = Number(e.key.slice(this.#prefix.length + 1));
    if (!Number.isInteger(dialogId)) return;
    const text = e.newValue ?? '';
    this.#memory.set(dialogId, text);
    this.elsewhere.value = { dialogId, text };
  };

  #key(dialogId: number): string {
    return `${this.#prefix}:${dialogId}`;
  }
}
