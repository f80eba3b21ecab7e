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

it('upgrading to group management keeps every dialog: owners, joined times, unread counts and read-by come from the old rows', async () => {
  // The schema as it was before group management: migrations 0000–0004.
  const old = join(dir, 'before-groups');
  cpSync(MIGRATIONS, old, { recursive: true });
  const journal = JSON.parse(readFileSync(join(old, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 4);
  writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify(journal));
  const file = join(dir, 'before-groups.sqlite');
  const raw = new Database(file);
  migrate(drizzle({ client: raw }), { migrationsFolder: old });
  // A direct dialog of a and b (b read 1 of 2), a group of c (its creator and owner), a, b, and a
  // group whose creator is not among its members (and nobody was made its owner).
  raw.exec(`
    INSERT INTO widgets (id, dev_id, name, secret_key, users_info_url, created_at, updated_at) VALUES (1, 'old', 'Old', '${'k'.repeat(40)}', 'http://127.0.0.1:1/u', 1, 1);
    INSERT INTO event_logs (widget_id, pruned_through) VALUES (1, 0);
    INSERT INTO dialogs (id, widget_id, type, direct_key, created_by, member_count, last_seq, last_message_id, created_at, updated_at) VALUES
      (1, 1, 'direct', 'a' || char(0) || 'b', 'a', 2, 2, 2, 10, 30),
      (2, 1, 'group', NULL, 'c', 3, 1, 3, 20, 40),
      (3, 1, 'group', NULL, 'gone', 2, 0, NULL, 25, 25);
    UPDATE dialogs SET title = 'Club' WHERE id = 2;
    UPDATE dialogs SET title = 'Orphan' WHERE id = 3;
    INSERT INTO dialog_members (widget_id, dialog_id, user_id, last_read_seq, last_delivered_seq, role, activity_at, joined_at) VALUES
      (1, 1, 'a', 2, 2, 'member', 30, 11), (1, 1, 'b', 1, 2, 'member', 30, 12),
      (1, 2, 'c', 1, 1, 'owner', 40, 21), (1, 2, 'a', 0, 0, 'member', 40, 21), (1, 2, 'b', 0, 0, 'member', 40, 21),
      (1, 3, 'y', 0, 0, 'member', 25, 26), (1, 3, 'x', 0, 0, 'member', 25, 26);
    INSERT INTO messages (id, widget_id, dialog_id, seq, sender_id, text, client_msg_id, created_at) VALUES
      (1, 1, 1, 1, 'a', 'first', 'c1', 28), (2, 1, 1, 2, 'a', 'second', 'c2', 30), (3, 1, 2, 1, 'c', 'hello club', NULL, 40);
  `);
  raw.close();

  const store = openSqliteStore(file);
  try {
    const direct = (await store.getDialogForMember(1, 1, 'b'))!;
    expect(direct).toMatchObject({ type: 'direct', history: 'all', membership: 'member', unreadCount: 1, lastReadSeq: 1, muted: false });
    expect(direct.lastMessage).toMatchObject({ text: 'second', kind: 'text', system: null, senderId: 'a' });
    expect(direct.members.map((m) => [m.userId, m.role, m.joinedAt])).toEqual([['a', 'member', 10], ['b', 'member', 10]]);
    const club = (await store.getDialogForMember(1, 2, 'a'))!;
    expect(club).toMatchObject({ type: 'group', history: 'from_join', joinedSeq: 0, unreadCount: 1, memberCount: 3 });
    expect(Object.fromEntries(club.members.map((m) => [m.userId, m.role]))).toEqual({ a: 'member', b: 'member', c: 'owner' });
    // Its creator gone, the earliest member (ties by user id) is the owner.
    const orphan = (await store.getDialogForMember(1, 3, 'x'))!;
    expect(Object.fromEntries(orphan.members.map((m) => [m.userId, m.role]))).toEqual({ x: 'owner', y: 'member' });
    // Read-by of old reads: from the time of the message each position stands on.
    expect(await store.readBy(1, 1, 1)).toEqual({ seq: 1, senderId: 'a', readers: [{ userId: 'b', readAt: 28 }] });
    // The old rows take new changes: a text, a read, a group change.
    const [sent] = await store.commitSends([{ widgetId: 1, dialogId: 2, senderId: 'b', text: 'hi', clientMsgId: null, now: 50 }]);
    expect(sent).toMatchObject({ kind: 'created', message: { seq: 2, kind: 'text' } });
    const applied = await store.applyGroupChange(1, 2, club.version, {
      actorId: 'c',
      depart: [{ userId: 'a', how: 'removed' }],
      messages: [{ text: 'c removed a', system: { action: 'removed', actor_id: 'c', user_ids: ['a'], title: null } }],
    }, 60);
    expect(applied).toMatchObject({ kind: 'applied', departed: ['a'] });
    expect(await store.getDialogForMember(1, 2, 'a')).toMatchObject({ membership: 'removed', lastSeq: 3, unreadCount: 2 });
  } finally {
    await store.close();
  }
});
