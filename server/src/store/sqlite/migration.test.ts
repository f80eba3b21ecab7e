// Upgrading a database written by the per-user event streams (migrations 0000–0002): dialogs,
// messages and client_msg_ids stay, and a client resuming from an old stream id refetches once.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from './index.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'sqlite');
const dir = mkdtempSync(join(tmpdir(), 'imbachat-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an existing database keeps its dialogs and messages, and old stream positions get resumed: false', async () => {
  // The schema as it was before the event log: the first three migrations only.
  const old = join(dir, 'old-migrations');
  cpSync(MIGRATIONS, old, { recursive: true });
  const journal = JSON.parse(readFileSync(join(old, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 2);
  writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify(journal));
  const file = join(dir, 'imbachat.sqlite');
  const raw = new Database(file);
  migrate(drizzle({ client: raw }), { migrationsFolder: old });
  raw.exec(`
    INSERT INTO widgets (id, dev_id, name, secret_key, users_info_url, created_at, updated_at) VALUES (1, 'old', 'Old', '${'k'.repeat(40)}', 'http://127.0.0.1:1/u', 1, 1);
    INSERT INTO dialogs (id, widget_id, type, direct_key, created_by, last_seq, last_message_id, created_at, updated_at) VALUES (1, 1, 'direct', 'a' || char(0) || 'b', 'a', 2, 2, 1, 3);
    INSERT INTO dialog_members (widget_id, dialog_id, user_id, last_read_seq, last_delivered_seq, activity_at, joined_at) VALUES (1, 1, 'a', 2, 2, 3, 1), (1, 1, 'b', 0, 1, 3, 1);
    INSERT INTO messages (id, widget_id, dialog_id, seq, sender_id, text, client_msg_id, created_at) VALUES (1, 1, 1, 1, 'a', 'first', 'c1', 2), (2, 1, 1, 2, 'a', 'second', 'c2', 3);
    INSERT INTO user_states (widget_id, user_id, last_event_id, last_seen_at) VALUES (1, 'a', 4, NULL), (1, 'b', 7, 5);
    INSERT INTO user_events (widget_id, user_id, event_id, body, created_at) VALUES (1, 'b', 7, '{"type":"message.new"}', 3);
  `);
  raw.close();

  const store = openSqliteStore(file);
  try {
    const [view] = await store.listDialogsForMember(1, 'b', null, 10);
    expect(view).toMatchObject({ id: 1, type: 'direct', title: null, memberCount: 2, lastSeq: 2, lastReadSeq: 0 });
    expect(view!.members.find((m) => m.userId === 'b')).toMatchObject({ lastDeliveredSeq: 1, lastSeenAt: 5 });
    expect((await store.listMessages(1, 1, { limit: 10 })).map((m) => m.text)).toEqual(['first', 'second']);
    // The log starts past every old stream id, which counts as pruned: those clients refetch.
    expect(await store.logHead(1)).toBe(7);
    for (const oldId of [0, 4, 6]) expect((await store.readEvents(1, 'b', oldId, 100)).complete).toBe(false);
    const [replay] = await store.commitSends([{ widgetId: 1, dialogId: 1, senderId: 'a', text: 'first', clientMsgId: 'c1', now: 9 }]);
    expect(replay).toMatchObject({ kind: 'duplicate', message: { id: 1 } });
    const [fresh] = await store.commitSends([{ widgetId: 1, dialogId: 1, senderId: 'b', text: 'third', clientMsgId: 'c3', now: 9 }]);
    expect(fresh).toMatchObject({ kind: 'created', message: { seq: 3 }, event: { eventId: 8 } });
    expect((await store.readEvents(1, 'a', 7, 100)).events.map((e) => e.message?.text)).toEqual(['third']);
  } finally {
    await store.close();
  }
});
