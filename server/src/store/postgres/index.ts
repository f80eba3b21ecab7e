// The PostgreSQL store, for several server nodes on one database: the connection (db.ts) and its
// parts by domain composed into one Store.
//
// Promises: those of store/types.ts, for any number of nodes at once. Writes of one widget take
// turns on its event-log row (events.ts says why: positions must commit in order); writes of
// different widgets run in parallel. Uniqueness is settled by constraints and ON CONFLICT.
// Limits: one widget's write rate is bounded by one transaction at a time (a few round trips
// each; batching is what raises it). A node that stalls inside a transaction holds that widget's
// writes for up to idle_in_transaction_session_timeout (15 s). Every connection of the pool
// counts against the server's max_connections, for every node.
import type { Store } from '../types.ts';
import { type PostgresOptions, openDb } from './db.ts';
import { dialogStore } from './dialogs.ts';
import { eventStore } from './events.ts';
import { hostStore } from './host.ts';
import { messageStore } from './messages.ts';
import { uploadStore } from './uploads.ts';
import { userStateStore, widgetStore } from './widgets.ts';

export type { PostgresOptions };

/** Connects, applies the migrations (one node at a time) and answers the store. */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const db = await openDb(url, options);
  let closed: Promise<void> | null = null;
  return {
    ...widgetStore(db),
    ...dialogStore(db),
    ...messageStore(db),
    ...eventStore(db),
    ...hostStore(db),
    ...uploadStore(db),
    ...userStateStore(db),
    async ping() {
      if (closed) throw new Error('the PostgreSQL store is closed');
      await db.get('SELECT 1');
    },
    // Idempotent: pg's Pool.end rejects a second call.
    close: () => (closed ??= db.close()),
  };
}
