// Message threads, one per opened dialog: the server's messages in seq order followed by the
// user's own messages still on their way. Merging is keyed by id and by client_msg_id, so a
// message seen twice (POST answer, message.new, a catch-up page) appears once.
import { signal } from '@preact/signals-core';
import type { Attachment, Message } from '@imbachat/server/protocol';
import type { LoadStatus } from './dialogs.ts';

export type Delivery = 'pending' | 'sent' | 'failed';

export interface ChatMessage {
  /** Stable across pending → sent, so the bubble is not re-created. */
  key: string;
  id: number | null;
  seq: number | null;
  dialog_id: number;
  /** null for a system message (kind "system": rendered from `system`, in the widget's language). */
  sender_id: string | null;
  kind: Message['kind'];
  text: string;
  client_msg_id: string | null;
  created_at: string;
  system: Message['system'];
  /** Files sent with it: for a message on its way, the uploads it carries (their ids are sent). */
  attachments: Attachment[];
  status: Delivery;
  /** Why the last send failed (an error code), for failed messages. */
  error?: string;
}

export function fromServer(m: Message, key?: string): ChatMessage {
  // `attachments` is always sent; `?? []` keeps a server from before attachments readable.
  return { ...m, attachments: m.attachments ?? [], key: key ?? (m.client_msg_id ? `c:${m.client_msg_id}` : `m:${m.id}`), status: 'sent' };
}

export function mergeMessages(current: readonly ChatMessage[], incoming: readonly Message[]): ChatMessage[] {
  if (incoming.length === 0) return current as ChatMessage[];
  const byId = new Map<number, ChatMessage>();
  const byClientId = new Map<string, ChatMessage>();
  const local: ChatMessage[] = [];
  for (const m of current) {
    if (m.id !== null) byId.set(m.id, m);
    else local.push(m);
    if (m.client_msg_id) byClientId.set(m.client_msg_id, m);
  }
  for (const m of incoming) {
    const known = byId.get(m.id) ?? (m.client_msg_id ? byClientId.get(m.client_msg_id) : undefined);
    const merged = fromServer(m, known?.key);
    byId.set(m.id, merged);
    if (m.client_msg_id) byClientId.set(m.client_msg_id, merged);
  }
  const sent = [...byId.values()].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const stillLocal = local.filter((m) => !(m.client_msg_id && byClientId.get(m.client_msg_id)?.id != null));
  return [...sent, ...stillLocal];
}

export class Thread {
  readonly items = signal<ChatMessage[]>([]);
  readonly status = signal<LoadStatus>('idle');
  /** Cursor for older messages; null when the beginning is loaded. */
  readonly olderCursor = signal<string | null>(null);
  readonly loadingOlder = signal(false);

  constructor(readonly dialogId: number) {}

  lastSeq(): number {
    let max = 0;
    for (const m of this.items.value) if (m.seq !== null && m.seq > max) max = m.seq;
    return max;
  }

  merge(messages: readonly Message[]): void {
    this.items.value = mergeMessages(this.items.value, messages);
  }

  addLocal(m: ChatMessage): void {
    this.items.value = [...this.items.value, m];
  }

  update(key: string, change: Partial<ChatMessage>): void {
    this.items.value = this.items.value.map((m) => (m.key === key ? { ...m, ...change } : m));
  }

  find(key: string): ChatMessage | undefined {
    return this.items.value.find((m) => m.key === key);
  }

  remove(key: string): void {
    this.items.value = this.items.value.filter((m) => m.key !== key);
  }
}

export class MessagesModel {
  readonly #threads = new Map<number, Thread>();

  thread(dialogId: number): Thread {
    let t = this.#threads.get(dialogId);
    if (!t) this.#threads.set(dialogId, (t = new Thread(dialogId)));
    return t;
  }

  existing(dialogId: number): Thread | undefined {
    return this.#threads.get(dialogId);
  }

  all(): Thread[] {
    return [...this.#threads.values()];
  }
}
