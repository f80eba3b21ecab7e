// Runs the Store contract against the PostgreSQL store: a fresh database per test group (dropped at
// its end), a second pool on it as the second node; and what only several nodes on one database show.
import { describe, expect, it } from 'vitest';
import { storeContract } from '../contract.ts';
import { expectKind, input, tick, uid, users, widgetFields } from '../contract/harness.ts';
import type { EventRow, Store } from '../types.ts';
import { openPostgresStore } from './index.ts';
import { createTestDatabase, openTestStore as open, postgresSuite } from './test-database.ts';

await postgresSuite('PostgreSQL store', () => {
  storeContract('PostgreSQL', open);

  describe('several nodes on one database', () => {
    it('three nodes opening an empty database at once migrate it once, and all work', async () => {
      const database = await createTestDatabase();
      const nodes: Store[] = [];
      try {
        nodes.push(...(await Promise.all([1, 2, 3].map(() => openPostgresStore(database.url, { poolSize: 2 })))));
        const row = await nodes[0]!.insertWidget(widgetFields(uid('dev')), tick());
        for (const node of nodes) expect(await node.getWidgetByDevId(row.devId)).toEqual(row);
      } finally {
        for (const node of nodes) await node.close();
        await database.drop();
      }
    });

    it('a reader following the log while two nodes write never skips an event it later finds below its position', async () => {
      const opened = await open();
      try {
        const [a, b] = [opened.store, await opened.reopen!()];
        const w = (await a.insertWidget(widgetFields(uid('dev')), tick())).id;
        const [x, y] = users(2);
        const d = (await a.openDirectDialog(w, x, y, tick())).dialogId;
        let writing = true;
        const writers = [a, b].map(async (node) => {
          for (let i = 0; i < 40; i++) expectKind((await node.commitSends([input(w, d, x)]))[0], 'created');
        });
        const done = Promise.all(writers).finally(() => (writing = false));
        // Follows y's events the way a resuming client does: from the last position it was told of.
        const seen: EventRow[] = [];
        let at = 0;
        while (writing || at < (await a.logHead(w))) {
          const page = await b.readEvents(w, y, at, 1_000);
          expect(page.complete).toBe(true);
          seen.push(...page.events);
          at = Math.max(at, page.head);
        }
        await done;
        const all = (await a.readEvents(w, y, 0, 1_000)).events;
        expect(all).toHaveLength(80);
        expect(seen.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
        expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      } finally {
        await opened.cleanup();
      }
    });

    it('ping answers while open and rejects, saying why, once closed', async () => {
      const opened = await open();
      try {
        await expect(opened.store.ping()).resolves.toBeUndefined();
        await opened.store.close();
        await expect(opened.store.ping()).rejects.toThrow(/closed/);
      } finally {
        await opened.cleanup();
      }
    });
  });
});
