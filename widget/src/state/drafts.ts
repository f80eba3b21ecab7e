// What the person has typed but not sent, per dialog: in the tab's storage (so it survives a
// reload or the next page of the site) and in memory when storage is blocked.
import type { TabStorage } from './outbox.ts';

export class Drafts {
  private readonly memory = new Map<number, string>();

  constructor(
    /** e.g. "imbachat:draft:{dev_id}:{user_id}" */
    private readonly prefix: string,
    private readonly storage: () => TabStorage | null | undefined,
  ) {}

  get(dialogId: number): string {
    return this.storage()?.getItem(this.key(dialogId)) ?? this.memory.get(dialogId) ?? '';
  }

  set(dialogId: number, text: string): void {
    this.memory.set(dialogId, text);
    const s = this.storage();
    try {
      if (text) s?.setItem(this.key(dialogId), text);
      else s?.removeItem(this.key(dialogId));
    } catch {
      // storage full or blocked: the in-memory draft still works
    }
  }

  private key(dialogId: number): string {
    return `${this.prefix}:${dialogId}`;
  }
}
