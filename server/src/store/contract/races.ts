// Store contract, two nodes on the same data at once: the uniqueness and ordering promises must
// hold when the writers race, not only when they take turns.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../types.ts';
import {
  type OpenStore,
  direct,
  eventsOf,
  group,
  expectIncreasing,
  expectKind,
  input,
  newWidget,
  send,
  tick,
  uid,
  useStore,
  users,
  widgetFields,
} from './harness.ts';

const RACERS = 24;

export function raceContract(open: OpenStore) {
  describe('two nodes at once', () => {
    const ctx = useStore(open);
    let nodes: [Store, Store];
    // Without `reopen` the races still run, as concurrent calls on one store.
    beforeAll(async () => {
      nodes = [ctx.store, ctx.reopen ? await ctx.reopen() : ctx.store];
    });
    const node = (i: number) => nodes[i % 2]!;

    it('one node sees what the other committed', async () => {
      const row = await nodes[0].insertWidget(widgetFields(uid('dev')), tick());
      expect(await nodes[1].getWidgetByDevId(row.devId)).toEqual(row);
      const [a, b] = users(2);
      const d = await direct(nodes[0], row.id, a, b);
      expect(await nodes[1].openDirectDialog(row.id, b, a, tick())).toEqual({ dialogId: d, created: false, event: null });
      const sent = await send(nodes[1], row.id, d, a);
      expect(await nodes[0].logHead(row.id)).toBe(sent.event.eventId);
    });

    it('two nodes opening the same pair at once get one dialog, created once', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const now = tick();
      // Both nodes, both sides of the pair, all at the same time.
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => node(i).openDirectDialog(w, i % 4 < 2 ? a : b, i % 4 < 2 ? b : a, now)),
      );
      expect(new Set(results.map((r) => r.dialogId)).size).toBe(1);
      const creators = results.flatMap((r, i) => (r.created ? [i] : []));
      expect(creators).toHaveLength(1);
      const opener = creators[0]! % 4 < 2 ? a : b;
      const created = results[creators[0]!]!;
      expect(created.event).toMatchObject({ kind: 'dialog', dialogId: created.dialogId, userId: opener, onlyUserId: opener });
      expect(results.filter((r) => r.event !== null)).toHaveLength(1);
      const dialogEvents = [...(await eventsOf(ctx.store, w, a)), ...(await eventsOf(ctx.store, w, b))];
      expect(dialogEvents).toEqual([created.event]);
    });

    it('two nodes sending to one dialog at once number its messages 1..n, each batch consecutively', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const batches = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => node(i).commitSends([input(w, d, i % 3 ? a : b), input(w, d, a)])),
      );
      const created = batches.map((batch) => batch.map((r) => expectKind(r, 'created')));
      for (const [first, second] of created) expect(second!.message.seq).toBe(first!.message.seq + 1);
      const all = created.flat().sort((x, y) => x.message.seq - y.message.seq);
      expect(all.map((r) => r.message.seq)).toEqual(Array.from({ length: RACERS * 2 }, (_, i) => i + 1));
      // Commit order is seq order, so the log positions must follow it.
      expectIncreasing(all.map((r) => r.event.eventId));
      const stored = await ctx.store.listMessages(w, d, { limit: 1_000 });
      expect(stored.map((m) => m.id)).toEqual(all.map((r) => r.message.id));
      expect(await ctx.store.getMembership(w, d, b)).toMatchObject({ lastSeq: RACERS * 2 });
    });

    it('two nodes replaying one client_msg_id at once store it once', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const clientMsgId = uid('cmid');
      const results = (await Promise.all(Array.from({ length: RACERS }, (_, i) => node(i).commitSends([input(w, d, a, { clientMsgId })])))).flat();
      const created = results.filter((r) => r.kind === 'created');
      expect(created).toHaveLength(1);
      const stored = expectKind(created[0], 'created').message;
      const duplicates = results.filter((r) => r.kind === 'duplicate');
      expect(duplicates).toEqual(Array.from({ length: RACERS - 1 }, () => ({ kind: 'duplicate', message: stored })));
      expect(await ctx.store.listMessages(w, d, { limit: 100 })).toEqual([stored]);
      expect((await eventsOf(ctx.store, w, b)).filter((e) => e.kind === 'message')).toHaveLength(1);
    });

    it('two nodes moving one reader’s position at once never move it backwards', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const messages = (await ctx.store.commitSends(Array.from({ length: 8 }, () => input(w, d, a)))).map((r) => expectKind(r, 'created').message);
      const order = [3, 7, 0, 5, 6, 1, 4, 2, 7, 3];
      const results = await Promise.all(
        order.map((k, i) => node(i).commitReads([{ widgetId: w, dialogId: d, userId: b, messageId: messages[k]!.id, now: tick() }])),
      );
      const events = results.flat().flatMap((r) => (r.kind === 'ok' && r.event ? [r.event] : []));
      events.sort((x, y) => x.eventId - y.eventId);
      expectIncreasing(events.map((e) => e.seq));
      expect(events.at(-1)?.seq).toBe(8);
      expect(await ctx.store.getMembership(w, d, b)).toMatchObject({ lastSeq: 8, lastReadSeq: 8 });
    });

    it('two nodes moving one member’s delivered position at once leave the highest', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      await ctx.store.commitSends(Array.from({ length: 8 }, () => input(w, d, a)));
      const order = [2, 8, 1, 5, 8, 3, 7, 4, 6];
      const results = (
        await Promise.all(order.map((seq, i) => node(i).commitDeliveries([{ widgetId: w, dialogId: d, userId: b, seq, now: tick() }])))
      ).flat();
      const events = results.flatMap((r) => (r?.event ? [r.event] : [])).sort((x, y) => x.eventId - y.eventId);
      expectIncreasing(events.map((e) => e.seq));
      expect(events.at(-1)?.seq).toBe(8);
      const members = (await ctx.store.getDialogForMember(w, d, a))!.members;
      expect(members.find((m) => m.userId === b)?.lastDeliveredSeq).toBe(8);
      expect(await ctx.store.undelivered(w, b)).toEqual([]);
    });

    it('two nodes applying changes planned on one version at once: exactly one applies, and sends between keep their seqs', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, ...newcomers] = users(2 + RACERS);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      const { version } = (await ctx.store.getDialogForMember(w, g, a))!;
      const added = (u: string) => ({ text: `added ${u}`, system: { action: 'added' as const, actor_id: a, user_ids: [u], title: null } });
      const results = await Promise.all(
        newcomers.flatMap((u, i) => [
          node(i).applyGroupChange(w, g, version, { actorId: a, add: [u], messages: [added(u)] }, tick()),
          node(i + 1).commitSends([input(w, g, b)]),
        ]),
      );
      const changes = results.filter((r): r is Exclude<(typeof results)[number], unknown[]> => !Array.isArray(r));
      expect(changes.filter((r) => r.kind === 'applied')).toHaveLength(1);
      expect(changes.filter((r) => r.kind === 'conflict')).toHaveLength(RACERS - 1);
      const view = (await ctx.store.getDialogForMember(w, g, a))!;
      expect(view.memberCount).toBe(3);
      expect(view.version).toBe(version + 1);
      const seqs = (await ctx.store.listMessages(w, g, { limit: 100 })).map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: RACERS + 2 }, (_, i) => i + 1));
    });
  });
}
