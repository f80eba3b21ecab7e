// Store contract, tenant isolation: two widgets with the same user ids, where every call
// addressed to one widget neither sees nor changes anything of the other.
import { describe, expect, it } from 'vitest';
import type { Store } from '../types.ts';
import { type OpenStore, direct, group, newWidget, send, sorted, tick, useStore, users } from './harness.ts';

/** The same cast in one widget: a direct dialog of a and b with a message, a group of a, b, c. */
async function cast(store: Store, w: number, [a, b, c]: string[]) {
  const d = await direct(store, w, a!, b!);
  const sent = await send(store, w, d, a!);
  const g = (await group(store, w, [a!, b!, c!])).dialogId;
  return { d, g, sent };
}

export function tenantContract(open: OpenStore) {
  describe('tenant isolation', () => {
    const ctx = useStore(open);

    it('two widgets with the same user ids see only their own dialogs, messages and events', async () => {
      const [w1, w2] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const people = users(3);
      const [a, b, c] = people;
      const one = await cast(ctx.store, w1, people);
      const two = await cast(ctx.store, w2, people);
      expect(new Set([one.d, one.g, two.d, two.g]).size).toBe(4);
      expect(one.sent.message.seq).toBe(1);
      expect(two.sent.message.seq).toBe(1);
      for (const [w, mine, theirs] of [
        [w1, one, two],
        [w2, two, one],
      ] as const) {
        const own = { [a]: [mine.d, mine.g], [b]: [mine.d, mine.g], [c]: [mine.g] };
        for (const u of [a, b, c]) {
          const listed = (await ctx.store.listDialogsForMember(w, u, null, 100)).map((v) => v.id);
          expect(sorted(listed)).toEqual(sorted(own[u]!));
          const page = await ctx.store.readEvents(w, u, 0, 100);
          expect(page.complete).toBe(true);
          expect(sorted(new Set(page.events.map((e) => e.dialogId)))).toEqual(sorted(own[u]!));
        }
        // The group's first message (its creation) has not reached b either.
        expect(sorted((await ctx.store.undelivered(w, b)).map((u) => `${u.dialogId}:${u.seq}`))).toEqual(sorted([`${mine.d}:1`, `${mine.g}:1`]));
        for (const id of [theirs.d, theirs.g]) {
          expect(await ctx.store.getDialogForMember(w, id, a)).toBeNull();
          expect(await ctx.store.getMembership(w, id, a)).toBeNull();
          expect(await ctx.store.getMemberIds(w, id)).toEqual([]);
          expect(await ctx.store.listMessages(w, id, { limit: 100 })).toEqual([]);
        }
        expect(await ctx.store.listMessages(w, mine.d, { limit: 100 })).toEqual([mine.sent.message]);
      }
    });

    it('writes addressed to another widget’s dialog change nothing in either widget', async () => {
      const [w1, w2] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const people = users(3);
      const [a, b] = people;
      const one = await cast(ctx.store, w1, people);
      await cast(ctx.store, w2, people);
      const heads = async () => [await ctx.store.logHead(w1), await ctx.store.logHead(w2)];
      const before = await heads();
      const stateOfB = () => ctx.store.getDialogForMember(w1, one.d, b);
      const viewBefore = await stateOfB();
      const sendThere = { widgetId: w2, dialogId: one.d, senderId: a, text: 'x', clientMsgId: null, now: tick() };
      expect(await ctx.store.commitSends([sendThere])).toEqual([{ kind: 'not_member' }]);
      const readThere = { widgetId: w2, dialogId: one.d, userId: b, messageId: one.sent.message.id, now: tick() };
      expect(await ctx.store.commitReads([readThere])).toEqual([{ kind: 'not_member' }]);
      expect(await ctx.store.commitDeliveries([{ widgetId: w2, dialogId: one.d, userId: b, seq: 1, now: tick() }])).toEqual([null]);
      // Group changes, mute and read-by addressed through the other widget find nothing either.
      const groupBefore = await ctx.store.getDialogForMember(w1, one.g, a);
      const plan = { actorId: a, add: [users(1)[0]], messages: [{ text: 'x', system: { action: 'added' as const, actor_id: a, user_ids: [], title: null } }] };
      expect(await ctx.store.applyGroupChange(w2, one.g, groupBefore!.version, plan, tick())).toEqual({ kind: 'conflict' });
      expect(await ctx.store.setMuted(w2, one.d, a, true, tick())).toBeNull();
      expect(await ctx.store.readBy(w2, one.d, one.sent.message.id)).toBeNull();
      expect(await ctx.store.getDialogForMember(w1, one.g, a)).toEqual(groupBefore);
      expect(await heads()).toEqual(before);
      expect(await stateOfB()).toEqual(viewBefore);
      expect(await ctx.store.listMessages(w1, one.d, { limit: 100 })).toEqual([one.sent.message]);
    });
  });
}
