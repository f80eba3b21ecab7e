// The user's messages on their way: shown pending at once, sent over REST, resent with the same
// client_msg_id while unanswered, and kept in the tab's storage until the server acknowledges them.
import type { Attachment } from '@imbachat/server/protocol';
import { backoffDelay } from '../transport/backoff.ts';
import { ApiError } from '../transport/rest.ts';
import type { TalkApi } from '../transport/talk.ts';
import type { DialogsModel } from './dialogs.ts';
import type { ChatMessage, MessagesModel } from './messages.ts';

/** Automatic resends of a message that got no answer: full jitter from 1 s, doubling to 15 s. */
const RESEND_BACKOFF = { minMs: 1000, maxMs: 15_000 };

export type TabStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface OutboxOptions {
  userId: string;
  /** Where the pending messages are kept in the tab's storage. */
  key: string;
  messages: MessagesModel;
  dialogs: DialogsModel;
  rest: TalkApi;
  storage(): TabStorage | null | undefined;
  onError(err: unknown, quiet: boolean): void;
}

interface Outgoing {
  dialog_id: number;
  text: string;
  client_msg_id: string;
  created_at: string;
  /** The finished uploads it carries (their ids are sent; the rest draws the pending bubble). */
  attachments?: Attachment[];
  /** The server's refusal, for a message kept to be edited or dropped. */
  failed?: string;
}

export class Outbox {
  readonly #sending = new Set<string>();
  readonly #resends = new Map<string, { attempt: number; timer?: ReturnType<typeof setTimeout> }>();
  #disposed = false;

  readonly #o: OutboxOptions;

  constructor(o: OutboxOptions) {
    this.#o = o;
  }

  dispose(): void {
    this.#disposed = true;
    for (const r of this.#resends.values()) clearTimeout(r.timer);
  }

  /** Adds the (trimmed) text and the finished uploads as a pending message and sends it. */
  add(dialogId: number, text: string, attachments: Attachment[] = []): void {
    const clientMsgId = uuid();
    this.#o.messages.thread(dialogId).addLocal(this.#local(dialogId, text, clientMsgId, new Date().toISOString(), attachments));
    this.#save();
    void this.deliver(dialogId, `c:${clientMsgId}`);
  }

  #local(dialogId: number, text: string, clientMsgId: string, createdAt: string, attachments: Attachment[]): ChatMessage {
    return { key: `c:${clientMsgId}`, id: null, seq: null, dialog_id: dialogId, sender_id: this.#o.userId, kind: 'text', text, client_msg_id: clientMsgId, created_at: createdAt, system: null, attachments, status: 'pending' };
  }

  /**
   * Sends (again) a local message; the same client_msg_id makes a repeat harmless, so a message
   * that got no answer stays pending and is resent with backoff until the server acknowledges it.
   * Only a refusal (too long, no such dialog…) marks it failed, with a Retry button.
   */
  async deliver(dialogId: number, key: string): Promise<void> {
    const thread = this.#o.messages.thread(dialogId);
    const m = thread.find(key);
    if (!m || m.id !== null || !m.client_msg_id || this.#sending.has(key) || this.#disposed) return;
    // One at a time per dialog, in the order written: the server numbers messages as they arrive,
    // so two sent side by side could land the other way round. The one ahead sends this one.
    const ahead = this.#ahead(thread.items.peek(), key);
    if (ahead) {
      if (m.status !== 'pending') thread.update(key, { status: 'pending' });
      return;
    }
    const resend = this.#resends.get(key);
    clearTimeout(resend?.timer);
    this.#sending.add(key);
    if (m.status !== 'pending') thread.update(key, { status: 'pending' });
    try {
      const saved = await this.#o.rest.send(dialogId, m.text, m.client_msg_id, m.attachments.map((a) => a.id));
      if (this.#disposed) return;
      this.#resends.delete(key);
      thread.merge([saved]);
      this.#o.dialogs.noteMessage(saved);
    } catch (err) {
      if (this.#disposed) return;
      const code = err instanceof ApiError ? err.code : 'network';
      const status = err instanceof ApiError ? err.status : 0;
      if (code === 'network' || status >= 500 || status === 429 || status === 401) {
        // No answer, or the server could not take it now: try again later (after a new token for 401).
        const attempt = resend?.attempt ?? 0;
        const entry: { attempt: number; timer?: ReturnType<typeof setTimeout> } = { attempt: attempt + 1 };
        // A 429 says when the server takes messages again; sooner would be refused as well.
        const wait = Math.max(backoffDelay(attempt, RESEND_BACKOFF), err instanceof ApiError ? err.retryAfterMs : 0);
        if (status !== 401) entry.timer = setTimeout(() => void this.deliver(dialogId, key), wait);
        this.#resends.set(key, entry);
        if (status === 401) this.#o.onError(err, true);
      } else {
        this.#resends.delete(key);
        thread.update(key, { status: 'failed', error: code });
        this.#o.onError(err, true);
      }
    } finally {
      this.#sending.delete(key);
      if (!this.#disposed) {
        this.#save();
        // Answered either way: the next one written in this dialog goes (unless this one waits
        // for a resend, which sends it in turn).
        if (!this.#resends.has(key)) this.#next(dialogId);
      }
    }
  }

  /** A message written before `key` in the same dialog that is still on its way. */
  #ahead(items: readonly ChatMessage[], key: string): ChatMessage | undefined {
    for (const m of items) {
      if (m.key === key) return undefined;
      if (m.id === null && m.client_msg_id && m.status === 'pending') return m;
    }
    return undefined;
  }

  #next(dialogId: number): void {
    const next = this.#o.messages.thread(dialogId).items.peek().find((m) => m.id === null && m.client_msg_id && m.status === 'pending');
    if (next) void this.deliver(dialogId, next.key);
  }

  /** Takes back a message the server refused (to edit or drop it); only failed ones can be. */
  discard(dialogId: number, key: string): string | null {
    const thread = this.#o.messages.thread(dialogId);
    const m = thread.find(key);
    if (!m || m.status !== 'failed') return null;
    thread.remove(key);
    this.#save();
    return m.text;
  }

  /** Resends every message still waiting now (the link is back, a new token came). */
  flush(): void {
    for (const thread of this.#o.messages.all())
      for (const m of thread.items.peek()) if (m.id === null && m.status === 'pending') void this.deliver(thread.dialogId, m.key);
  }

  /** Messages not yet acknowledged, and refused ones not yet edited or dropped, are kept in the
   *  tab's storage, so a reload loses none of what the person wrote. */
  #save(): void {
    const out: Outgoing[] = [];
    for (const thread of this.#o.messages.all())
      for (const m of thread.items.peek())
        if (m.id === null && m.client_msg_id)
          out.push({
            dialog_id: m.dialog_id,
            text: m.text,
            client_msg_id: m.client_msg_id,
            created_at: m.created_at,
            ...(m.attachments.length ? { attachments: m.attachments } : {}),
            ...(m.status === 'failed' ? { failed: m.error ?? 'failed' } : {}),
          });
    try {
      if (out.length) this.#o.storage()?.setItem(this.#o.key, JSON.stringify(out));
      else this.#o.storage()?.removeItem(this.#o.key);
    } catch {
      // storage full or blocked: the messages are still sent from memory
    }
  }

  restore(): void {
    let saved: Outgoing[] = [];
    try {
      const raw = this.#o.storage()?.getItem(this.#o.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      if (Array.isArray(parsed)) saved = parsed as Outgoing[];
    } catch {
      return;
    }
    for (const o of saved) {
      if (typeof o?.client_msg_id !== 'string' || typeof o.text !== 'string' || typeof o.dialog_id !== 'number') continue;
      const thread = this.#o.messages.thread(o.dialog_id);
      const m = this.#local(o.dialog_id, o.text, o.client_msg_id, o.created_at, Array.isArray(o.attachments) ? o.attachments : []);
      if (thread.find(m.key)) continue;
      if (typeof o.failed === 'string') {
        thread.addLocal({ ...m, status: 'failed', error: o.failed });
        continue;
      }
      thread.addLocal(m);
      void this.deliver(o.dialog_id, m.key);
    }
  }
}

function uuid(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  // randomUUID needs a secure context; host pages on plain http still deserve unique ids.
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
