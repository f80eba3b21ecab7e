import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite/index.ts';
import type { Store } from './types.ts';

// The hot read paths must use an index range, never a scan, however large a tenant grows.
let dir: string;
let store: Store;
const seen: Array<{ sql: string; params: unknown[] }> = [];
let widgetId: number;
let dialogId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'imbachat-plan-'));
  store = openSqliteStore(join(dir, 'db.sqlite'), { onQuery: (sql, params) => seen.push({ sql, params }) });
  const w = await store.insertWidget(
    { devId: 'plan', name: 'P', secretKey: 'k'.repeat(40), apiLogin: '', apiPassword: '', usersInfoUrl: 'http://127.0.0.1:1/u', allowedOrigins: [], adminIds: [] },
    1,
  );
  widgetId = w.id;
  for (let i = 0; i < 30; i++) {
    const { dialogId: id } = await store.openDirectDialog(widgetId, 'me', `p${i}`, i);
    dialogId = id;
    for (let j = 0; j < 5; j++) {
      await store.commitSends([{ widgetId, dialogId: id, senderId: `p${i}`, text: 'x', clientMsgId: null, now: i * 10 + j }]);
    }
  }
  // No ANALYZE: the server never runs it, so the planner sees what it sees in production.
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function plansOf(run: () => Promise<unknown>) {
  return async () => {
    seen.length = 0;
    await run();
    const raw = new Database(join(dir, 'db.sqlite'), { readonly: true });
    try {
      return seen.map(({ sql, params }) => ({
        sql,
        plan: (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as never[])) as Array<{ detail: string }>).map((r) => r.detail),
      }));
    } finally {
      raw.close();
    }
  };
}

function expectNoScan(plans: Array<{ sql: string; plan: string[] }>) {
  expect(plans.length).toBeGreaterThan(0);
  for (const { sql, plan } of plans) {
    for (const step of plan) {
      // json_each is the list of ids a statement was given, not a table.
      expect(step, `${sql}\n${plan.join('\n')}`).not.toMatch(/^SCAN (?!CONSTANT|json_each)/);
      expect(step, `${sql}\n${plan.join('\n')}`).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
      // A range over a whole tenant is a scan in disguise (but max() over the primary key reads
      // one end of it: the log's head).
      if (!/SELECT max\(event_id\) FROM events WHERE widget_id = :widgetId/.test(sql)) {
        expect(step, `${sql}\n${plan.join('\n')}`).not.toMatch(/\(widget_id=\?\)$/);
      }
    }
  }
}

it('lists a user’s dialogs through an index range', async () => {
  expectNoScan(await plansOf(() => store.listDialogsForMember(widgetId, 'me', null, 20))());
  const later = await plansOf(() => store.listDialogsForMember(widgetId, 'me', { activityAt: 150, dialogId: 15 }, 20))();
  expectNoScan(later);
  // A later page seeks to the cursor; it does not walk the user's whole range from the top.
  expect(later.flatMap((p) => p.plan).join('\n')).toMatch(/dialog_members_list \(widget_id=\? AND user_id=\? AND \(activity_at,dialog_id\)<\(\?,\?\)\)/);
});

it('reads a page of messages through an index range', async () => {
  expectNoScan(await plansOf(() => store.listMessages(widgetId, dialogId, { limit: 50 }))());
  expectNoScan(await plansOf(() => store.listMessages(widgetId, dialogId, { before: 3, limit: 50 }))());
  expectNoScan(await plansOf(() => store.listMessages(widgetId, dialogId, { after: 2, limit: 50 }))());
});

it('sends, reads, delivers and resumes through index lookups', async () => {
  expectNoScan(await plansOf(() => store.commitSends([{ widgetId, dialogId, senderId: 'me', text: 'y', clientMsgId: 'c1', now: 999 }]))());
  expectNoScan(await plansOf(() => store.commitReads([{ widgetId, dialogId, userId: 'me', messageId: 1, now: 999 }]))());
  expectNoScan(await plansOf(() => store.commitDeliveries([{ widgetId, dialogId, userId: 'me', seq: 2, now: 999 }]))());
  expectNoScan(await plansOf(() => store.undelivered(widgetId, 'me'))());
  expectNoScan(await plansOf(() => store.readEvents(widgetId, 'me', 10, 100))());
  expectNoScan(await plansOf(() => store.contactsOf(widgetId, 'me'))());
});

it('runs a group (changes, mute, read-by, a departed member’s view) through index lookups', async () => {
  const { dialogId: g, created } = await store.createGroup(widgetId, { creatorId: 'me', title: 'G', memberIds: ['me', 'p1', 'p2'], createdText: 'me created the group “G”' }, 5000);
  const system = (action: 'added' | 'removed', userIds: string[]) => ({ text: action, system: { action, actor_id: 'me', user_ids: userIds, title: null } });
  const version = async () => (await store.getDialogForMember(widgetId, g, 'me'))!.version;
  expectNoScan(
    await plansOf(async () =>
      store.applyGroupChange(widgetId, g, await version(), { actorId: 'me', add: ['p3'], roles: [{ userId: 'p1', role: 'admin' }], set: { title: 'H' }, messages: [system('added', ['p3'])] }, 5001),
    )(),
  );
  expectNoScan(
    await plansOf(async () =>
      store.applyGroupChange(widgetId, g, await version(), { actorId: 'me', depart: [{ userId: 'p2', how: 'removed' }], messages: [system('removed', ['p2'])] }, 5002),
    )(),
  );
  expectNoScan(await plansOf(() => store.getDialogForMember(widgetId, g, 'p2'))());
  expectNoScan(await plansOf(() => store.getMemberIds(widgetId, g))());
  expectNoScan(await plansOf(() => store.setMuted(widgetId, g, 'p1', true, 5003))());
  expectNoScan(await plansOf(() => store.readBy(widgetId, g, created.message.id))());
  expectNoScan(await plansOf(() => store.commitReads([{ widgetId, dialogId: g, userId: 'p3', messageId: created.message.id + 1, now: 5004 }]))());
});
