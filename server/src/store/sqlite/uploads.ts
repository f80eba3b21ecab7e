// Uploaded files' rows in the SQLite file (the bytes are in files/storage; attaching is in messages.ts).
import { UPLOAD_COLUMNS, type UploadRaw, uploadRow } from '../attachments.ts';
import type { UploadStore } from '../types.ts';
import type { Db } from './db.ts';

export function uploadStore(db: Db): UploadStore {
  return {
    async createUpload(u) {
      db.q(
        `INSERT INTO uploads (widget_id, id, uploader_id, name, mime, kind, size, width, height, thumb_size, created_at)
         VALUES (:widgetId, :id, :uploaderId, :name, :mime, :kind, :size, :width, :height, :thumbSize, :createdAt)`,
      ).run({ widgetId: u.widgetId, id: u.id, uploaderId: u.uploaderId, name: u.name, mime: u.mime, kind: u.kind, size: u.size, width: u.width, height: u.height, thumbSize: u.thumbSize, createdAt: u.createdAt });
    },
    async getUpload(widgetId, id) {
      const r = db.q<UploadRaw>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE widget_id = :widgetId AND id = :id`).get({ widgetId, id });
      return r ? uploadRow(r) : null;
    },
    async orphanUploads(before, limit) {
      return db
        .q<UploadRaw>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE message_id IS NULL AND removed_at IS NULL AND created_at < :before ORDER BY created_at LIMIT :limit`)
        .all({ before, limit })
        .map(uploadRow);
    },
    async deleteUploads(widgetId, ids) {
      if (ids.length) db.q('DELETE FROM uploads WHERE widget_id = :widgetId AND id IN (SELECT value FROM json_each(:ids))').run({ widgetId, ids: JSON.stringify(ids) });
    },
    async uploadsOf(widgetId, of) {
      const [column, value] = 'messageId' in of ? ['message_id', of.messageId] : ['uploader_id', of.uploaderId];
      return db
        .q<UploadRaw>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE widget_id = :widgetId AND ${column} = :value AND removed_at IS NULL ORDER BY created_at, id`)
        .all({ widgetId, value })
        .map(uploadRow);
    },
    async markUploadsRemoved(widgetId, ids, now) {
      if (ids.length) {
        db.q('UPDATE uploads SET removed_at = :now WHERE widget_id = :widgetId AND removed_at IS NULL AND id IN (SELECT value FROM json_each(:ids))').run({
          widgetId,
          now,
          ids: JSON.stringify(ids),
        });
      }
    },
    async storageUsage(widgetId) {
      const r = db
        .q<{ files: number; bytes: number | null }>(
          'SELECT count(*) AS files, sum(size + coalesce(thumb_size, 0)) AS bytes FROM uploads WHERE widget_id = :widgetId AND removed_at IS NULL',
        )
        .get({ widgetId })!;
      return { files: r.files, bytes: r.bytes ?? 0 };
    },
  };
}
