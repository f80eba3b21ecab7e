// The files a person attaches before the message goes, one tray per dialog: each file uploads at
// once (a few side by side), shows its progress, can be cancelled or removed, and retried where
// that can succeed; once uploaded it holds the id the message sends. Loaded with the tray (attach.ts).
import { signal } from '@preact/signals-core';
import { MAX_ATTACHMENTS, type Attachment, type UploadPolicy } from '@imbachat/server/protocol';
import { ApiError } from '../transport/rest.ts';
import type { Sending } from '../transport/upload.ts';

/** Uploads that run side by side; the others wait their turn, so the first ones finish sooner
 *  and a slow link is not shared ten ways. */
const PARALLEL = 3;
/** After a 429 whose Retry-After the page cannot read (the header is not exposed cross-origin):
 *  the server's upload limit lets one more through every 5 s (docs/api.md, rate limits). */
const RATE_WAIT_MS = 5000;
/** 429s taken quietly (the tile waits and tries again) before the tile says so and offers Retry. */
const RATE_TRIES = 3;

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed';

export interface Upload {
  /** Local, unique in the page. */
  key: string;
  file: File;
  /** A local preview of an image (an object URL, revoked when the tile goes). */
  preview: string | null;
  status: UploadStatus;
  /** How much of the file has been sent, 0…1. */
  progress: number;
  /** Why it failed: the server's error code, or "network". */
  error?: string;
  /** The server's own sentence about it (English, for a tooltip). */
  detail?: string;
  /** Whether trying again can succeed (a refused type cannot). */
  retryable?: boolean;
  attachment?: Attachment;
}

/** Sends one file; transport/upload.ts in the browser. */
export type Transport = (file: File, progress: (fraction: number) => void) => Sending;

export class Tray {
  readonly items = signal<Upload[]>([]);
  /** Files were left out because the message already had MAX_ATTACHMENTS. */
  readonly overflow = signal(false);
}

export interface UploadsOptions {
  send: Transport;
  /** The largest file the server takes, where the widget knows it. */
  maxBytes?: number;
  /** A failure the chat handles (a token that cannot be renewed stops it). */
  onError(err: unknown): void;
  /** Local previews (URL.createObjectURL by default). */
  preview?: { create(file: File): string | null; revoke(url: string): void };
  schedule?: (run: () => void, ms: number) => () => void;
}

const browserPreview = {
  create: (file: File) => (/^image\//.test(file.type) && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null),
  revoke: (url: string) => URL.revokeObjectURL(url),
};

/** A type or an extension as a file input's `accept` takes it: "image/png", ".png". */
const ACCEPT_ITEM = /^(?:\.[\w-]{1,16}|[\w.+-]{1,64}\/[\w.+-]{1,64})$/;

/** What the file picker offers, from the policy's types and extensions (both: phones' pickers go by
 *  type, desktops' by extension); anything else in the answer is left out, and with nothing left
 *  the picker offers every file, as before the policy came. */
export function acceptOf(p: { types?: unknown; extensions?: unknown }): string | undefined {
  const items = [p.types, p.extensions].flatMap((l) => (Array.isArray(l) ? (l as unknown[]) : [])).filter((x): x is string => typeof x === 'string' && ACCEPT_ITEM.test(x));
  return items.length > 0 ? [...new Set(items)].join(',') : undefined;
}

export class Uploads {
  /** The file picker's `accept`, once the server's policy is in (a hint: the server reads each
   *  file's type from its bytes). */
  readonly accept = signal<string | undefined>(undefined);
  readonly #trays = new Map<number, Tray>();
  readonly #order: { tray: Tray; key: string }[] = [];
  readonly #running = new Map<string, Sending>();
  readonly #waiting = new Map<string, () => void>();
  readonly #tries = new Map<string, number>();
  #next = 0;
  /** Files this large or larger are refused at once: the server's stated limit, or the smallest
   *  file it refused as too large on this page. */
  #tooLarge: number;

  readonly #o: UploadsOptions;

  constructor(o: UploadsOptions) {
    this.#o = o;
    this.#tooLarge = o.maxBytes === undefined ? Infinity : o.maxBytes + 1;
  }

  /** The server's stated limit (GET …/uploads): files over it are refused at once, without a byte sent. */
  limit(maxBytes: number): void {
    if (Number.isSafeInteger(maxBytes) && maxBytes > 0) this.#tooLarge = Math.min(this.#tooLarge, maxBytes + 1);
  }

  /** The server's policy (GET …/uploads): its limit, and the types the file picker offers. */
  takePolicy(p: Partial<Record<keyof UploadPolicy, unknown>>): void {
    if (typeof p.max_bytes === 'number') this.limit(p.max_bytes);
    this.accept.value = acceptOf(p);
  }

  tray(dialogId: number): Tray {
    let t = this.#trays.get(dialogId);
    if (!t) this.#trays.set(dialogId, (t = new Tray()));
    return t;
  }

  /** Adds files to the dialog's tray and starts them; past MAX_ATTACHMENTS the rest are left out (and the tray says so). */
  add(dialogId: number, files: readonly File[]): void {
    const tray = this.tray(dialogId);
    const room = Math.max(0, MAX_ATTACHMENTS - tray.items.peek().length);
    const preview = this.#o.preview ?? browserPreview;
    const added = files.slice(0, room).map((file): Upload => {
      const key = `u${++this.#next}`;
      this.#order.push({ tray, key });
      const u: Upload = { key, file, preview: preview.create(file), status: 'queued', progress: 0 };
      return file.size >= this.#tooLarge ? { ...u, status: 'failed', error: 'file_too_large', retryable: false } : u;
    });
    tray.overflow.value = files.length > room;
    tray.items.value = [...tray.items.peek(), ...added];
    this.#pump();
  }

  /** Cancels the upload (if it is still on its way) and takes the file out of the tray. */
  remove(dialogId: number, key: string): void {
    const tray = this.tray(dialogId);
    const u = tray.items.peek().find((x) => x.key === key);
    if (!u) return;
    this.#forget(u);
    tray.items.value = tray.items.peek().filter((x) => x.key !== key);
    tray.overflow.value = false;
    this.#pump();
  }

  /** Starts a failed upload again (the Retry button). */
  retry(dialogId: number, key: string): void {
    const tray = this.tray(dialogId);
    const u = tray.items.peek().find((x) => x.key === key);
    if (u?.status !== 'failed' || !u.retryable) return;
    this.#tries.delete(key);
    this.#update(tray, key, { status: 'queued', progress: 0 });
    this.#pump();
  }

  /** The uploaded files, in the order attached: what a message sent now carries. */
  ready(dialogId: number): Attachment[] {
    return this.tray(dialogId).items.peek().flatMap((u) => (u.status === 'done' && u.attachment ? [u.attachment] : []));
  }

  /** Files still on their way: sending waits until they are in. */
  busy(dialogId: number): boolean {
    return this.tray(dialogId).items.peek().some((u) => u.status === 'queued' || u.status === 'uploading');
  }

  /** The message with the uploaded files went: they leave the tray (failed ones stay, with their reason). */
  sent(dialogId: number): void {
    const tray = this.tray(dialogId);
    for (const u of tray.items.peek()) if (u.status === 'done') this.#forget(u);
    tray.items.value = tray.items.peek().filter((u) => u.status !== 'done');
    tray.overflow.value = false;
  }

  dispose(): void {
    for (const tray of this.#trays.values()) for (const u of tray.items.peek()) this.#forget(u);
    this.#trays.clear();
  }

  #forget(u: Upload): void {
    this.#running.get(u.key)?.abort();
    this.#running.delete(u.key);
    this.#waiting.get(u.key)?.();
    this.#waiting.delete(u.key);
    this.#tries.delete(u.key);
    const i = this.#order.findIndex((o) => o.key === u.key);
    if (i >= 0) this.#order.splice(i, 1);
    if (u.preview) (this.#o.preview ?? browserPreview).revoke(u.preview);
  }

  /** Starts queued files, oldest first, while fewer than PARALLEL are running. */
  #pump(): void {
    for (const { tray, key } of this.#order) {
      if (this.#running.size >= PARALLEL) return;
      const u = tray.items.peek().find((x) => x.key === key);
      if (u?.status === 'queued' && !this.#waiting.has(key)) this.#start(tray, u);
    }
  }

  #start(tray: Tray, u: Upload): void {
    const { key } = u;
    this.#update(tray, key, { status: 'uploading', progress: 0 });
    let shown = 0;
    const sending = this.#o.send(u.file, (fraction) => {
      // One step per percent: a progress event comes every few milliseconds on a fast link.
      const step = Math.floor(fraction * 100) / 100;
      if (step !== shown && this.#running.get(key) === sending) this.#update(tray, key, { progress: (shown = step) });
    });
    this.#running.set(key, sending);
    sending.done.then(
      (attachment) => {
        if (this.#running.get(key) !== sending) return;
        this.#running.delete(key);
        this.#tries.delete(key);
        this.#update(tray, key, { status: 'done', progress: 1, attachment });
        this.#pump();
      },
      (err: unknown) => {
        if (this.#running.get(key) !== sending) return; // removed meanwhile
        this.#running.delete(key);
        this.#failed(tray, u, err);
        this.#pump();
      },
    );
  }

  #failed(tray: Tray, u: Upload, err: unknown): void {
    const e = err instanceof ApiError ? err : new ApiError('network', 0, String(err));
    // A file larger than the server takes may be cut off before its 413 can be read.
    const code = e.code === 'network' && u.file.size >= this.#tooLarge ? 'file_too_large' : e.code;
    if (code === 'file_too_large') this.#tooLarge = Math.min(this.#tooLarge, u.file.size);
    if (code === 'rate_limited') {
      const tries = (this.#tries.get(u.key) ?? 0) + 1;
      this.#tries.set(u.key, tries);
      if (tries <= RATE_TRIES) {
        this.#update(tray, u.key, { status: 'queued', progress: 0 });
        const schedule = this.#o.schedule ?? ((run, ms) => ((t) => () => clearTimeout(t))(setTimeout(run, ms)));
        this.#waiting.set(
          u.key,
          schedule(() => {
            this.#waiting.delete(u.key);
            this.#pump();
          }, Math.max(e.retryAfterMs, RATE_WAIT_MS)),
        );
        return;
      }
    }
    if (e.status === 401) this.#o.onError(e);
    const retryable = code === 'network' || code === 'rate_limited' || e.status === 401 || e.status >= 500;
    this.#update(tray, u.key, { status: 'failed', progress: 0, error: code, detail: e.message, retryable });
  }

  #update(tray: Tray, key: string, change: Partial<Upload>): void {
    tray.items.value = tray.items.peek().map((u) => (u.key === key ? { ...u, ...change } : u));
  }
}
