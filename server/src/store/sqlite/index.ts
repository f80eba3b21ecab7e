// The embedded store: one SQLite file (see db.ts), its parts by domain composed into one Store.
import type { Store } from '../types.ts';
import { type SqliteOptions, openDb } from './db.ts';
import { dialogStore } from './dialogs.ts';
import { eventStore } from './events.ts';
import { hostStore } from './host.ts';
import { messageStore } from './messages.ts';
import { uploadStore } from './uploads.ts';
import { widgetStore } from './widgets.ts';

export type { SqliteOptions };

export function openSqliteStore(file: string, options: SqliteOptions = {}): Store {
  const db = openDb(file, options);
  return {
    ...widgetStore(db),
    ...dialogStore(db),
    ...messageStore(db),
    ...eventStore(db),
    ...hostStore(db),
    ...uploadStore(db),
    async setLastSeen(widgetId, userId, at) {
      // Nothing for a deleted widget: a socket closed by the deletion still reports its user offline.
      db.q(
        `INSERT INTO user_states (widget_id, user_id, last_seen_at)
         SELECT :widgetId, :userId, :at WHERE EXISTS (SELECT 1 FROM widgets WHERE id = :widgetId)
         ON CONFLICT (widget_id, user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      ).run({ widgetId, userId, at });
    },
    async ping() {
      db.q('SELECT 1').get();
    },
    close: () => db.close(),
  };
}
