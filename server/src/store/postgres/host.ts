// What the host API keeps in PostgreSQL: answers by idempotency key, and a dialog's anchor member.
// Concurrent claims of one key (any node) are settled by the primary key: INSERT … ON CONFLICT
// waits for the other claim's commit, then conflicts.
import type { HostRequestRow, HostRequestStore } from '../types.ts';
import type { Db } from './db.ts';

interface Raw {
  request_hash: string;
  status: number | null;
  body: string | null;
  created_at: number;
}

const row = (r: Raw): HostRequestRow => ({ requestHash: r.request_hash, status: r.status, body: r.body, createdAt: Number(r.created_at) });

export function hostStore(db: Db): HostRequestStore {
  return {
    async claimHostRequest(widgetId, key, requestHash, now, expiredBefore, staleBefore) {
      const claimed = await db.get<{ key: string }>(
        `INSERT INTO host_requests (widget_id, key, request_hash, status, body, created_at) VALUES (:widgetId, :key, :requestHash, NULL, NULL, :now)
         ON CONFLICT (widget_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL, body = NULL, created_at = excluded.created_at
         WHERE host_requests.created_at < :expiredBefore OR (host_requests.status IS NULL AND host_requests.created_at < :staleBefore) RETURNING key`,
        { widgetId, key, requestHash, now, expiredBefore, staleBefore },
      );
      if (claimed) return null;
      const r = await db.get<Raw>('SELECT * FROM host_requests WHERE widget_id = :widgetId AND key = :key', { widgetId, key });
      // Released in between: the caller claims again.
      return r ? row(r) : { requestHash, status: null, body: null, createdAt: now };
    },
    async completeHostRequest(widgetId, key, status, body) {
      await db.run('UPDATE host_requests SET status = :status, body = :body WHERE widget_id = :widgetId AND key = :key', { widgetId, key, status, body });
    },
    async releaseHostRequest(widgetId, key) {
      await db.run('DELETE FROM host_requests WHERE widget_id = :widgetId AND key = :key AND status IS NULL', { widgetId, key });
    },
    async pruneHostRequests(before) {
      return db.run('DELETE FROM host_requests WHERE created_at < :before', { before });
    },
    async dialogAnchor(widgetId, dialogId) {
      const r = await db.get<{ user_id: string }>(
        `SELECT m.user_id FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id AND d.widget_id = m.widget_id
         WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.membership = 'member'
         ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END, m.joined_at, m.user_id LIMIT 1`,
        { widgetId, dialogId },
      );
      return r?.user_id ?? null;
    },
  };
}
