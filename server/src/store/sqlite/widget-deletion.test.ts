// Deleting a widget in the SQLite file itself: no row of it is left in any table that has a
// widget_id (a table added later is covered without changing this test), no dangling reference
// remains, and each statement reaches the widget's rows through an index, not a scan.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import type { Store } from '../types.ts';
import { openSqliteStore } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'imbachat-widget-deletion-'));
const file = join(dir, 'db.sqlite');
const statements: Array<{ sql: string; params: unknown[] }> = [];
const store = openSqliteStore(file, { onQuery: (sql, params) => statements.push({ sql, params }) });
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
async function widgetWithData(s: Store): Promise<number> {
  const w = await s.insertWidget(
    { devId: `w${++counter}`, name: 'W', secretKey: 'k'.repeat(40), apiLogin: '', apiPassword: '', usersInfoUrl: 'http://127.0.0.1:1/u', allowedOrigins: [], adminIds: [] },
    1,
  );
  const { dialogId } = await s.openDirectDialog(w.id, 'a', 'b', 2);
  const [sent] = await s.commitSends([{ widgetId: w.id, dialogId, senderId: 'a', text: 'hi', clientMsgId: 'c1', now: 3 }]);
  if (sent?.kind !== 'created') throw new Error(`send refused: ${JSON.stringify(sent)}`);
  await s.commitReads([{ widgetId: w.id, dialogId, userId: 'b', messageId: sent.message.id, now: 4 }]);
  await s.createGroup(w.id, { creatorId: 'a', title: 'g', memberIds: ['a', 'b', 'c'], createdText: 'a created the group “g”' }, 5);
  await s.setLastSeen(w.id, 'b', 6);
  // Pruning leaves the log's bookkeeping row (event_logs) behind, which must go too.
  await s.pruneEvents(3);
  // A host API answer kept by idempotency key.
  await s.claimHostRequest(w.id, 'key-1', 'hash', 6, 0, 0);
  // An upload (its row; the bytes are the file service's).
  await s.createUpload({ widgetId: w.id, id: 'u'.repeat(21) + counter, uploaderId: 'a', name: 'f.txt', mime: 'text/plain', kind: 'file', size: 1, width: null, height: null, thumb: false, thumbSize: null, createdAt: 6 });
  return w.id;
}

/** Rows per table for the widget, over every table of the file that has a widget_id column. */
function rowsOf(widgetId: number): Record<string, number> {
  const raw = new Database(file, { readonly: true });
  try {
    const tables = raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'`).pluck().all() as string[];
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const columns = raw.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
      const column = table === 'widgets' ? 'id' : columns.includes('widget_id') ? 'widget_id' : null;
      if (column) counts[table] = raw.prepare(`SELECT count(*) FROM "${table}" WHERE ${column} = ?`).pluck().get(widgetId) as number;
    }
    return counts;
  } finally {
    raw.close();
  }
}

it('leaves no row of the widget in any table with a widget_id, not even after a late setLastSeen, and no dangling reference', async () => {
  const doomed = await widgetWithData(store);
  const kept = await widgetWithData(store);
  const keptBefore = rowsOf(kept);
  expect(Object.keys(keptBefore).sort()).toEqual(['dialog_members', 'dialogs', 'event_logs', 'events', 'host_requests', 'messages', 'read_moves', 'uploads', 'user_states', 'widgets']);
  expect(Object.values(rowsOf(doomed)).every((n) => n > 0)).toBe(true);

  await store.deleteWidget(doomed);
  // A socket closed by the deletion still reports its user offline a moment later.
  await store.setLastSeen(doomed, 'a', 7);

  expect(Object.values(rowsOf(doomed))).toEqual(Object.values(keptBefore).map(() => 0));
  expect(rowsOf(kept)).toEqual(keptBefore);
  const raw = new Database(file, { readonly: true });
  try {
    expect(raw.pragma('foreign_key_check')).toEqual([]);
  } finally {
    raw.close();
  }
});

it('reaches the widget’s rows through indexes: its deletion does not scan other widgets’ rows', async () => {
  const w = await widgetWithData(store);
  statements.length = 0;
  await store.deleteWidget(w);
  const deletes = statements.filter((s) => /^\s*DELETE/.test(s.sql));
  expect(deletes.length).toBeGreaterThanOrEqual(7);
  const raw = new Database(file, { readonly: true });
  // As the store runs them: with foreign-key checks on, each deleted dialog would scan messages.
  raw.pragma('foreign_keys = OFF');
  try {
    for (const { sql, params } of deletes) {
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as never[])) as Array<{ detail: string }>).map((r) => r.detail);
      for (const step of plan) expect(step, `${sql}\n${plan.join('\n')}`).not.toMatch(/^SCAN /);
    }
  } finally {
    raw.close();
  }
});
