// Attachments in conversations: the composer's uploads, the lightbox and the refreshing of
// expired links, whose code (attach.ts) is fetched when the person first points at the paperclip,
// attaches, pastes or drops a file or opens an image, or a link needs refreshing; and which image
// the lightbox shows.
import { signal } from '@preact/signals-core';
import { ApiError } from '../transport/rest.ts';
import type { TalkApi } from '../transport/talk.ts';
import type { Links } from './links.ts';
import type { MessagesModel } from './messages.ts';
import type { SessionModel } from './session.ts';
import type { Uploads } from './uploads.ts';

export interface FilesOptions {
  /** The chat server, e.g. https://chat.example.com (the script tag's address). */
  base: string;
  devId: string;
  session: SessionModel;
  talk: TalkApi;
  messages: MessagesModel;
  onError(err: unknown, quiet?: boolean): void;
}

/** The attach chunk once in: its components, and this chat's uploads and links. */
export interface AttachPart {
  code: typeof import('../attach.ts');
  uploads: Uploads;
  links: Links;
}

export class Files {
  readonly part = signal<AttachPart | null>(null);
  /** The image the lightbox shows: the message (by its key, in that dialog) and which of its images. */
  readonly lightbox = signal<{ dialogId: number; key: string; index: number } | null>(null);
  #code: Promise<AttachPart> | null = null;
  #disposed = false;

  readonly #o: FilesOptions;

  constructor(o: FilesOptions) {
    this.#o = o;
  }

  dispose(): void {
    this.#disposed = true;
    this.part.peek()?.uploads.dispose();
  }

  /** The attach chunk, loaded once (again after a failed try). */
  load(): Promise<AttachPart> {
    this.#code ??= import('../attach.ts').then(
      (code) => {
        const part = { code, ...code.start(this.#o) };
        if (this.#disposed) part.uploads.dispose();
        else this.part.value = part;
        return part;
      },
      (err: unknown) => {
        this.#code = null;
        throw err;
      },
    );
    return this.#code;
  }

  /** Runs `run` once the chunk is in; a chunk that cannot be fetched is a network failure, told to the page. */
  #then(run: (p: AttachPart) => unknown, failed?: () => void): void {
    this.load().then(run, (err: unknown) => {
      failed?.();
      this.#o.onError(new ApiError('network', 0, `Could not load the attachments code: ${String(err)}`));
    });
  }

  /** Files picked, pasted or dropped into a dialog's composer. */
  attach(dialogId: number, files: File[]): void {
    if (files.length > 0 && !this.#o.session.fatal.peek()) this.#then((p) => p.uploads.add(dialogId, files));
  }

  openImage(dialogId: number, key: string, index: number): void {
    this.lightbox.value = { dialogId, key, index };
    // Should the code not come, the viewer must not pop up later, when something else loads it.
    this.#then(() => {}, () => (this.lightbox.value = null));
  }

  closeImage(): void {
    this.lightbox.value = null;
  }

  /** A message's image would not load: its links again, signed afresh. */
  stale(dialogId: number, key: string): void {
    this.#then((p) => p.links.freshen(dialogId, key));
  }

  /** A file whose link is about to expire: downloaded from a fresh one. */
  download(dialogId: number, key: string, id: string): void {
    this.#then((p) => p.links.download(dialogId, key, id, (path) => this.href(path)));
  }

  /** A path the server gave (url, thumb_url) as an address on the chat server; null for anything else. */
  href(path: string | undefined): string | null {
    try {
      const origin = new URL(this.#o.base).origin;
      const url = new URL(path ?? '', origin);
      return path && url.origin === origin ? url.href : null;
    } catch {
      return null;
    }
  }
}

/** Whether a signed link expires within `ms` (its `exp` is in unix seconds). */
export function expiresSoon(href: string, ms = 15_000, now = Date.now()): boolean {
  const exp = Number(new URL(href).searchParams.get('exp'));
  return exp > 0 && exp * 1000 < now + ms;
}
