// Signed links that ran out: attachments' `url` and `thumb_url` expire, and every answer that
// carries a message signs them afresh, so a message whose image will not load, or whose link is
// about to expire, is asked for again (GET the one message). Loaded with the attach chunk.
import type { Attachment } from '@imbachat/server/protocol';
import type { TalkApi } from '../transport/talk.ts';
import type { MessagesModel } from './messages.ts';

/** A message's links are asked for again at most this often (an image that keeps failing). */
const FRESHEN_EVERY_MS = 60_000;

export class Links {
  readonly #asked = new Map<string, number>();

  constructor(
    readonly talk: TalkApi,
    readonly messages: MessagesModel,
    readonly onError: (err: unknown) => void,
  ) {}

  /** Resolves with the message's attachments as they are now (null when it is not in a thread, or not sent yet). */
  async freshen(dialogId: number, key: string): Promise<Attachment[] | null> {
    const thread = this.messages.existing(dialogId);
    const m = thread?.find(key);
    if (!thread || !m || m.seq === null || m.id === null) return null;
    if (Date.now() - (this.#asked.get(key) ?? 0) < FRESHEN_EVERY_MS) return m.attachments;
    this.#asked.set(key, Date.now());
    const id = m.id;
    try {
      const page = await this.talk.messages(dialogId, { after: m.seq - 1, limit: 1 });
      thread.merge(page.items.filter((x) => x.id === id));
      return thread.find(key)?.attachments ?? null;
    } catch (err) {
      this.onError(err);
      return null;
    }
  }

  /** Downloads a file whose link was about to expire, from a fresh one. */
  async download(dialogId: number, key: string, id: string, href: (path: string | undefined) => string | null): Promise<void> {
    const a = (await this.freshen(dialogId, key))?.find((x) => x.id === id);
    const url = href(a?.url);
    if (!a || !url) return;
    const link = document.createElement('a');
    link.href = url;
    link.download = a.name;
    link.click();
  }
}
