// Attachment rules: receiving an upload (type from the bytes, images re-encoded), who may have a
// fresh link, and the files' lifecycle (never-sent uploads swept, a message's or a user's files
// removed, a deleted widget's files gone).
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Caller } from '../dialogs/service.ts';
import { AppError } from '../errors.ts';
import type { Attachment } from '../realtime/protocol.ts';
import { storedAttachment } from '../store/attachments.ts';
import type { Store, UploadRow, WidgetRow } from '../store/types.ts';
import { sanitiseFileName } from './content/names.ts';
import { ImageError, processImage } from './content/images.ts';
import { sniffFile } from './content/sniff.ts';
import { type FileVariant, fileLinks } from './links.ts';
import { uploadPolicy } from './policy.ts';
import { receiveUpload } from './receive.ts';
import type { FileStorage } from './storage/types.ts';

/**
 * An upload not sent within this long is removed: the person closed the tab or changed their
 * mind, and nobody else can ever see it. An hour covers a long message written around a file.
 */
export const UNSENT_UPLOAD_TTL_MS = 60 * 60_000;
/**
 * A storage's scratch file untouched this long was left by a write cut off when its process died:
 * a live write keeps touching its file, and an upload is cut off long before (Node's HTTP server
 * gives a request 5 minutes to arrive whole, its default requestTimeout).
 */
export const ABANDONED_WRITE_MS = 60 * 60_000;
/** Uploads removed per sweep round; the next round takes the rest. */
const SWEEP_BATCH = 500;

const uploadNotFound = () => new AppError('upload_not_found', 404, 'No such file, or it is not yours to see.');

/** Every file of a widget is under this prefix (deleting the widget removes it whole). */
export function widgetFilesPrefix(widgetId: number): string {
  return `w${widgetId}/`;
}

export function storageKey(widgetId: number, id: string, variant: FileVariant): string {
  return `${widgetFilesPrefix(widgetId)}${id}${variant === 'thumb' ? '.thumb' : ''}`;
}

export interface FileServiceOptions {
  store: Store;
  storage: FileStorage;
  /** Where uploads are written while they arrive (on this node's disk, whatever the storage). */
  tmpDir: string;
  now: () => number;
  log: Logger;
}

export class FileService {
  constructor(private readonly o: FileServiceOptions) {}

  /** Makes the temp folder and empties it of what a crash left there. */
  async prepare(): Promise<void> {
    await mkdir(this.o.tmpDir, { recursive: true });
    for (const f of await readdir(this.o.tmpDir)) if (f.endsWith('.part')) await unlink(join(this.o.tmpDir, f)).catch(() => {});
  }

  /** Receives the request's file, checks what it really is, stores it; answers it as an attachment not yet sent. */
  async upload(caller: Caller, req: Request): Promise<Attachment> {
    const { widget, userId } = caller;
    const policy = uploadPolicy(widget);
    const received = await receiveUpload(req, { maxBytes: policy.maxBytes, tmpDir: this.o.tmpDir });
    const keys: string[] = [];
    try {
      const type = await sniffFile(received.path, { name: received.name, contentType: received.contentType }, policy.types);
      if (!type.ok) throw new AppError(type.code, type.code === 'file_type_mismatch' ? 422 : 415, type.message);
      const id = randomBytes(16).toString('base64url');
      const row: UploadRow = {
        widgetId: widget.id,
        id,
        uploaderId: userId,
        name: sanitiseFileName(received.name, type.ext),
        mime: type.mime,
        kind: type.kind,
        size: received.size,
        width: null,
        height: null,
        thumb: false,
        thumbSize: null,
        createdAt: this.o.now(),
        messageId: null,
        dialogId: null,
        removedAt: null,
      };
      if (type.kind === 'image') {
        // What is served is the re-encoded image: orientation applied, every metadata block gone,
        // and nothing of the upload's own bytes (a polyglot file stops being one).
        const image = await processImage(received.path, type.mime).catch((err: unknown) => {
          throw err instanceof ImageError ? new AppError('file_unreadable', 422, err.message, { cause: err }) : err;
        });
        keys.push(storageKey(widget.id, id, 'file'), storageKey(widget.id, id, 'thumb'));
        await this.o.storage.put(keys[0]!, image.data, { contentType: image.mime });
        await this.o.storage.put(keys[1]!, image.thumb.data, { contentType: image.thumb.mime });
        Object.assign(row, { size: image.data.length, width: image.width, height: image.height, thumb: true, thumbSize: image.thumb.data.length });
      } else {
        keys.push(storageKey(widget.id, id, 'file'));
        await this.o.storage.put(keys[0]!, createReadStream(received.path), { contentType: type.mime });
      }
      await this.o.store.createUpload(row);
      keys.length = 0;
      return fileLinks(widget, this.o.now()).attachment(storedAttachment(row));
    } finally {
      if (keys.length) await this.o.storage.delete(keys).catch((err) => this.o.log.warn({ err }, 'could not remove the files of a failed upload'));
      await unlink(received.path).catch(() => {});
    }
  }

  /**
   * The upload with fresh links, for its uploader, the members of the dialog it was sent to, and
   * the widget's moderators (admin_ids); "not found" for anyone else.
   */
  async describe(caller: Caller, id: string): Promise<Attachment> {
    const row = await this.o.store.getUpload(caller.widget.id, id);
    if (!row) throw uploadNotFound();
    if (!(await this.maySee(caller, row))) throw uploadNotFound();
    if (row.removedAt !== null) throw new AppError('file_removed', 410, 'This file was removed.');
    return fileLinks(caller.widget, this.o.now()).attachment(storedAttachment(row));
  }

  private async maySee(caller: Caller, row: UploadRow): Promise<boolean> {
    if (row.uploaderId === caller.userId || caller.widget.adminIds.includes(caller.userId)) return true;
    if (row.dialogId === null) return false;
    const m = await this.o.store.getMembership(caller.widget.id, row.dialogId, caller.userId);
    return m !== null && m.membership === 'member';
  }

  /** The row of a file a link points at; null when there is none in this widget. */
  find(widget: WidgetRow, id: string): Promise<UploadRow | null> {
    return this.o.store.getUpload(widget.id, id);
  }

  get storage(): FileStorage {
    return this.o.storage;
  }

  /** Removes the bytes of a message's files (moderation); their links answer 410 from then on. Answers how many. */
  async removeMessageFiles(widgetId: number, messageId: number): Promise<number> {
    return this.remove(widgetId, await this.o.store.uploadsOf(widgetId, { messageId }));
  }

  /** Removes the bytes of everything a user uploaded, sent or not (erasure). Answers how many. */
  async removeUserFiles(widgetId: number, userId: string): Promise<number> {
    return this.remove(widgetId, await this.o.store.uploadsOf(widgetId, { uploaderId: userId }));
  }

  private async remove(widgetId: number, rows: UploadRow[]): Promise<number> {
    if (!rows.length) return 0;
    await this.o.storage.delete(rows.flatMap((r) => keysOf(r)));
    await this.o.store.markUploadsRemoved(widgetId, rows.map((r) => r.id), this.o.now());
    return rows.length;
  }

  /** Removes uploads never sent within UNSENT_UPLOAD_TTL_MS, bytes first, then rows, and answers
   *  how many; and what writes cut off by a dead process left in the storage's scratch space. */
  async sweep(): Promise<number> {
    await this.o.storage.sweepScratch?.(ABANDONED_WRITE_MS);
    let removed = 0;
    for (;;) {
      const rows = await this.o.store.orphanUploads(this.o.now() - UNSENT_UPLOAD_TTL_MS, SWEEP_BATCH);
      if (!rows.length) return removed;
      await this.o.storage.delete(rows.flatMap((r) => keysOf(r)));
      const byWidget = new Map<number, string[]>();
      for (const r of rows) byWidget.set(r.widgetId, [...(byWidget.get(r.widgetId) ?? []), r.id]);
      for (const [widgetId, ids] of byWidget) await this.o.store.deleteUploads(widgetId, ids);
      removed += rows.length;
      if (rows.length < SWEEP_BATCH) return removed;
    }
  }
}

function keysOf(r: UploadRow): string[] {
  return r.thumb ? [storageKey(r.widgetId, r.id, 'file'), storageKey(r.widgetId, r.id, 'thumb')] : [storageKey(r.widgetId, r.id, 'file')];
}
