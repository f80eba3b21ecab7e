// What the host API keeps in the SQLite file: answers by idempotency key, and a dialog's anchor member.
import type { HostRequestRow, HostRequestStore } from '../types.ts';
import type { Db } from './db.ts';

interface Raw {
  request_hash: string;
  status: number | null;
  body: string | null;
  created_at: number;
}

const row = (r: Raw): HostRequestRow => ({ requestHash: r.request_hash, status: r.status, body: r.body, createdAt: r.created_at });

export const ANCHOR_SQL = `SELECT m.user_id FROM dialog_members m JOIN dialogs d ON d.id = m.dialog_id AND d.widget_id = m.widget_id
  WHERE m.widget_id = :widgetId AND m.dialog_id = :dialogId AND m.membership = 'member'
  ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END, m.joined_at, m.user_id LIMIT 1`;

export function hostStore(db: Db): HostRequestStore {
  return {
    async claimHostRequest(widgetId, key, requestHash, now, expiredBefore, staleBefore) {
      return db.write(() => {
        // An expired answer is replaced; the primary key settles concurrent claims.
        const claimed = db
          .q<{ key: string }>(
            `INSERT INTO host_requests (widget_id, key, request_hash, status, body, created_at) VALUES (:widgetId, :key, :requestHash, NULL, NULL, :now)
             ON CONFLICT (widget_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL, body = NULL, created_at = excluded.created_at
             WHERE host_requests.created_at < :expiredBefore OR (host_requests.status IS NULL AND host_requests.created_at < :staleBefore) RETURNING key`,
          )
          .get({ widgetId, key, requestHash, now, expiredBefore, staleBefore });
        if (claimed) return null;
        return row(db.q<Raw>('SELECT * FROM host_requests WHERE widget_id = :widgetId AND key = :key').get({ widgetId, key })!);
      });
    },
    async completeHostRequest(widgetId, key, status, body) {
      db.q('UPDATE host_requests SET status = :status, body = :body WHERE widget_id = :widgetId AND key = :key').run({ widgetId, key, status, body });
    },
    async releaseHostRequest(widgetId, key) {
      db.q('DELETE FROM host_requests WHERE widget_id = :widgetId AND key = :key AND status IS NULL').run({ widgetId, key });
    },
    async pruneHostRequests(before) {
      return db.q('DELETE FROM host_requests WHERE created_at < :before').run({ before }).changes;
    },
    async dialogAnchor(widgetId, dialogId) {
      return db.q<{ user_id: string }>(ANCHOR_SQL).get({ widgetId, dialogId })?.user_id ?? null;
    },
  };
}
