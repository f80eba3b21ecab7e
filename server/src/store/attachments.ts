// The one rule of what a send may attach, shared by both SQL stores: the sender's own uploads,
// not removed, not sent before, in the order named.
import type { SendResult, StoredAttachment, UploadRow } from './types.ts';

/** Columns of an upload row as both stores select them (camelCase aliases). */
export const UPLOAD_COLUMNS = `widget_id AS "widgetId", id, uploader_id AS "uploaderId", name, mime, kind, size, width, height,
  thumb_size AS "thumbSize", created_at AS "createdAt", message_id AS "messageId", dialog_id AS "dialogId", removed_at AS "removedAt"`;

export type UploadRaw = Omit<UploadRow, 'thumb'>;

export function uploadRow(r: UploadRaw): UploadRow {
  return { ...r, thumb: r.thumbSize !== null };
}

export function storedAttachment(u: UploadRow): StoredAttachment {
  return { id: u.id, kind: u.kind, name: u.name, size: u.size, mime: u.mime, width: u.width, height: u.height, thumb: u.thumb };
}

type Refusal = Extract<SendResult, { kind: 'upload_not_found' | 'upload_already_used' }>;

/** The attachments of a send in the order asked, or why one of them cannot be attached. */
export function pickAttachments(ids: readonly string[], found: readonly UploadRow[], senderId: string): StoredAttachment[] | Refusal {
  const byId = new Map(found.map((u) => [u.id, u]));
  const out: StoredAttachment[] = [];
  for (const id of ids) {
    const u = byId.get(id);
    // Someone else's upload is "not found" too: whether an id exists is not the sender's to learn.
    if (!u || u.uploaderId !== senderId || u.removedAt !== null) return { kind: 'upload_not_found', uploadId: id };
    if (u.messageId !== null) return { kind: 'upload_already_used', uploadId: id };
    out.push(storedAttachment(u));
  }
  return out;
}
