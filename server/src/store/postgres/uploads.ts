// Uploaded files' rows on PostgreSQL (the bytes are in files/storage; attaching is in messages.ts).
import { UPLOAD_COLUMNS, type UploadRaw, uploadRow } from '../attachments.ts';
import type { UploadStore } from '../types.ts';
import type { Db } from './db.ts';

export function uploadStore(db: Db): UploadStore {
  return {
    async createUpload(u) {
      // Against the widget row, share-locked: a widget being deleted is waited for, and then there is nothing to insert against.
      await db.run(
        `INSERT INTO uploads (widget_id, id, uploader_id, name, mime, kind, size, width, height, thumb_size, created_at)
         SELECT id, :id, :uploaderId, :name, :mime, :kind, :size, :width::int, :height::int, :thumbSize::bigint, :createdAt FROM widgets WHERE id = :widgetId FOR KEY SHARE`,
        { widgetId: u.widgetId, id: u.id, uploaderId: u.uploaderId, name: u.name, mime: u.mime, kind: u.kind, size: u.size, width: u.width, height: u.height, thumbSize: u.thumbSize, createdAt: u.createdAt },
      );
    },
    async getUpload(widgetId, id) {
      const r = await db.get<UploadRaw>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE widget_id = :widgetId AND id = :id`, { widgetId, id });
      return r ? uploadRow(r) : null;
    },
    async orphanUploads(before, limit) {
      const rows = await db.all<UploadRaw>(
        `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE message_id IS NULL AND removed_at IS NULL AND created_at < :before ORDER BY created_at LIMIT :limit`,
        { before, limit },
      );
      return rows.map(uploadRow);
    },
    async deleteUploads(widgetId, ids) {
      if (ids.length) await db.run('DELETE FROM uploads WHERE widget_id = :widgetId AND id = ANY(:ids::text[])', { widgetId, ids });
    },
    async uploadsOf(widgetId, of) {
      const [column, value] = 'messageId' in of ? ['message_id', of.messageId] : ['uploader_id', of.uploaderId];
      const rows = await db.all<UploadRaw>(
        `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE widget_id = :widgetId AND ${column} = :value AND removed_at IS NULL ORDER BY created_at, id`,
        { widgetId, value },
      );
      return rows.map(uploadRow);
    },
    async markUploadsRemoved(widgetId, ids, now) {
      if (ids.length) await db.run('UPDATE uploads SET removed_at = :now WHERE widget_id = :widgetId AND removed_at IS NULL AND id = ANY(:ids::text[])', { widgetId, ids, now });
    },
    async storageUsage(widgetId) {
      const r = (await db.get<{ files: number; bytes: number | null }>(
        'SELECT count(*)::int AS files, sum(size + coalesce(thumb_size, 0))::bigint AS bytes FROM uploads WHERE widget_id = :widgetId AND removed_at IS NULL',
        { widgetId },
      ))!;
      return { files: r.files, bytes: r.bytes ?? 0 };
    },
  };
}
