// Deleting a widget in the PostgreSQL database itself: no row of it is left in any table that has
// a widget_id (a table added later is covered without changing this test), even while another
// node keeps writing to it until the deletion lands.
import pg from 'pg';
import { expect, it } from 'vitest';
import type { Store } from '../types.ts';
import { openTestStore, postgresSuite } from './test-database.ts';

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
  await s.pruneEvents(3);
  // A host API answer kept by idempotency key.
  await s.claimHostRequest(w.id, 'key-1', 'hash', 6, 0, 0);
  // An upload (its row; the bytes are the file service's).
  await s.createUpload({ widgetId: w.id, id: 'u'.repeat(21) + counter, uploaderId: 'a', name: 'f.txt', mime: 'text/plain', kind: 'file', size: 1, width: null, height: null, thumb: false, thumbSize: null, createdAt: 6 });
  return w.id;
}

/** Rows per table for the widget, over every table of the database that has a widget_id column. */
async function rowsOf(client: pg.Client, widgetId: number): Promise<Record<string, number>> {
  const { rows: tables } = await client.query<{ table_name: string }>(
    `SELECT DISTINCT table_name FROM information_schema.columns
     WHERE table_schema = 'public' AND (column_name = 'widget_id' OR table_name = 'widgets') ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const column = table === 'widgets' ? 'id' : 'widget_id';
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}" WHERE ${column} = $1`, [widgetId]);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

await postgresSuite('PostgreSQL store: deleting a widget', () => {
  it('leaves no row of it in any table, while another node writes to it until the deletion lands', async () => {
    const opened = await openTestStore();
    const client = new pg.Client({ connectionString: opened.url });
    await client.connect();
    try {
      const other = await opened.reopen!();
      const doomed = await widgetWithData(opened.store);
      const kept = await widgetWithData(opened.store);
      const { dialogId } = await other.openDirectDialog(doomed, 'a', 'b', 7);
      const keptBefore = await opened.store.listDialogsForMember(kept, 'a', null, 10);

      // The other node keeps writing every kind of row until its writes stop landing.
      // setLastSeen never fails, deleted widget or not (a socket closed by the deletion reports its
      // user offline); the others may be refused once the widget is gone.
      let deleted = false;
      const lastSeen: Array<Promise<void>> = [];
      const writes = (async () => {
        let rounds = 0;
        while (!deleted || rounds < 3) {
          if (deleted) rounds++;
          lastSeen.push(other.setLastSeen(doomed, `u${rounds}`, 9));
          await Promise.allSettled([
            lastSeen.at(-1),
            other.commitSends([{ widgetId: doomed, dialogId, senderId: 'a', text: 'late', clientMsgId: null, now: 8 }]),
            other.openDirectDialog(doomed, 'a', `peer${counter++}`, 10),
            other.createGroup(doomed, { creatorId: 'a', title: 't', memberIds: ['a', 'z'], createdText: 't' }, 11),
            other.commitDeliveries([{ widgetId: doomed, dialogId, userId: 'b', seq: 50, now: 12 }]),
          ]);
        }
      })();
      const deletion = await opened.store.deleteWidget(doomed);
      deleted = true;
      await writes;

      expect(deletion?.widget.id).toBe(doomed);
      await Promise.all(lastSeen);
      const left = await rowsOf(client, doomed);
      expect(Object.keys(left)).toEqual(['dialog_members', 'dialogs', 'event_logs', 'events', 'host_requests', 'messages', 'read_moves', 'uploads', 'user_states', 'widgets']);
      expect(left).toEqual(Object.fromEntries(Object.keys(left).map((t) => [t, 0])));
      expect(await opened.store.logHead(doomed)).toBe(0);
      // The other widget is whole, and the deleted id answers like an unknown one.
      expect(await opened.store.listDialogsForMember(kept, 'a', null, 10)).toEqual(keptBefore);
      expect(Object.values(await rowsOf(client, kept)).every((n) => n > 0)).toBe(true);
      expect(await other.commitSends([{ widgetId: doomed, dialogId, senderId: 'a', text: 'after', clientMsgId: null, now: 13 }])).toEqual([
        { kind: 'not_member' },
      ]);
    } finally {
      await client.end().catch(() => {});
      await opened.cleanup();
    }
  });
});
