// Upgrading a PostgreSQL database written before group management (migration 0000 only): every
// dialog is kept, with owners, joined times, unread counts and read-by made from the old rows.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { openPostgresStore } from './index.ts';
import { createTestDatabase, postgresSuite } from './test-database.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'postgres');
const dir = mkdtempSync(join(tmpdir(), 'imbachat-pg-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

await postgresSuite('PostgreSQL store: migrations', () => {
  it('upgrading to group management keeps every dialog: owners, joined times, unread counts and read-by come from the old rows', async () => {
    const old = join(dir, 'before-groups');
    cpSync(MIGRATIONS, old, { recursive: true });
    const journal = JSON.parse(readFileSync(join(old, 'meta', '_journal.json'), 'utf8'));
    journal.entries = journal.entries.filter((e: { idx: number }) => e.idx === 0);
    writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify(journal));
    const database = await createTestDatabase();
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await migrate(drizzle({ client }), { migrationsFolder: old });
        // A direct dialog of a and b (b read 1 of 2), a group of c (its creator and owner), a, b,
        // and a group whose creator is not among its members (and nobody was made its owner).
        await client.query(`
          INSERT INTO widgets (dev_id, name, secret_key, users_info_url, created_at, updated_at) VALUES ('old', 'Old', '${'k'.repeat(40)}', 'http://127.0.0.1:1/u', 1, 1);
          INSERT INTO event_logs (widget_id) VALUES (1);
          INSERT INTO dialogs (widget_id, type, direct_a, direct_b, created_by, title, member_count, last_seq, created_at, updated_at) VALUES
            (1, 'direct', 'a', 'b', 'a', NULL, 2, 2, 10, 30), (1, 'group', NULL, NULL, 'c', 'Club', 3, 1, 20, 40), (1, 'group', NULL, NULL, 'gone', 'Orphan', 2, 0, 25, 25);
          INSERT INTO dialog_members (widget_id, dialog_id, user_id, last_read_seq, last_delivered_seq, role, activity_at, joined_at) VALUES
            (1, 1, 'a', 2, 2, 'member', 30, 11), (1, 1, 'b', 1, 2, 'member', 30, 12),
            (1, 2, 'c', 1, 1, 'owner', 40, 21), (1, 2, 'a', 0, 0, 'member', 40, 21), (1, 2, 'b', 0, 0, 'member', 40, 21),
            (1, 3, 'y', 0, 0, 'member', 25, 26), (1, 3, 'x', 0, 0, 'member', 25, 26);
          INSERT INTO messages (widget_id, dialog_id, seq, sender_id, text, client_msg_id, created_at) VALUES
            (1, 1, 1, 'a', 'first', 'c1', 28), (1, 1, 2, 'a', 'second', 'c2', 30), (1, 2, 1, 'c', 'hello club', NULL, 40);
          UPDATE dialogs SET last_message_id = 2 WHERE id = 1;
          UPDATE dialogs SET last_message_id = 3 WHERE id = 2;
        `);
      } finally {
        await client.end();
      }

      const store = await openPostgresStore(database.url, { poolSize: 2 });
      try {
        const direct = (await store.getDialogForMember(1, 1, 'b'))!;
        expect(direct).toMatchObject({ type: 'direct', history: 'all', membership: 'member', unreadCount: 1, lastReadSeq: 1, muted: false });
        expect(direct.lastMessage).toMatchObject({ text: 'second', kind: 'text', system: null, senderId: 'a' });
        expect(direct.members.map((m) => [m.userId, m.role, m.joinedAt])).toEqual([['a', 'member', 10], ['b', 'member', 10]]);
        const club = (await store.getDialogForMember(1, 2, 'a'))!;
        expect(club).toMatchObject({ type: 'group', history: 'from_join', joinedSeq: 0, unreadCount: 1, memberCount: 3 });
        expect(Object.fromEntries(club.members.map((m) => [m.userId, m.role]))).toEqual({ a: 'member', b: 'member', c: 'owner' });
        const orphan = (await store.getDialogForMember(1, 3, 'x'))!;
        expect(Object.fromEntries(orphan.members.map((m) => [m.userId, m.role]))).toEqual({ x: 'owner', y: 'member' });
        expect(await store.readBy(1, 1, 1)).toEqual({ seq: 1, senderId: 'a', readers: [{ userId: 'b', readAt: 28 }] });
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
    } finally {
      await database.drop();
    }
  });
});
