// Store contract, the event log and resume: a user's events after a position, in order and
// complete, or an honest "incomplete" when the log cannot answer (pruned, unknown, over limit).
import { describe, expect, it } from 'vitest';
import type { Store } from '../types.ts';
import { type OpenStore, direct, eventsOf, expectIncreasing, group, input, newWidget, send, tick, useStore, users, withOwnStore } from './harness.ts';

export function eventContract(open: OpenStore) {
  describe('readEvents and logHead', () => {
    const ctx = useStore(open);

    it('a fresh widget’s log is empty: head 0, and position 0 is complete', async () => {
      const w = await newWidget(ctx.store);
      expect(await ctx.store.logHead(w)).toBe(0);
      expect(await ctx.store.readEvents(w, users(1)[0], 0, 10)).toEqual({ head: 0, events: [], complete: true });
    });

    it('gives the user’s events after a position, in order, message events with their message', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const opened = await ctx.store.openDirectDialog(w, a, b, tick());
      const m1 = await send(ctx.store, w, opened.dialogId, a);
      const m2 = await send(ctx.store, w, opened.dialogId, b);
      const page = await ctx.store.readEvents(w, a, 0, 10);
      expect(page).toEqual({
        head: m2.event.eventId,
        complete: true,
        events: [
          { ...opened.event, message: null },
          { ...m1.event, message: m1.message },
          { ...m2.event, message: m2.message },
        ],
      });
      expect(await ctx.store.readEvents(w, a, m1.event.eventId, 10)).toEqual({
        head: m2.event.eventId,
        complete: true,
        events: [{ ...m2.event, message: m2.message }],
      });
    });

    it('at the head the page is complete and empty; beyond the head it is incomplete', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const { event } = await send(ctx.store, w, await direct(ctx.store, w, a, b), a);
      expect(await ctx.store.readEvents(w, b, event.eventId, 10)).toEqual({ head: event.eventId, events: [], complete: true });
      expect(await ctx.store.readEvents(w, b, event.eventId + 5, 10)).toEqual({ head: event.eventId, events: [], complete: false });
    });

    it('more events waiting than the limit is incomplete; exactly the limit is complete', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const sent = await ctx.store.commitSends([input(w, d, a), input(w, d, a), input(w, d, a)]);
      const head = await ctx.store.logHead(w);
      expect(await ctx.store.readEvents(w, b, 0, 2)).toEqual({ head, events: [], complete: false });
      const exact = await ctx.store.readEvents(w, b, 0, 3);
      expect(exact.complete).toBe(true);
      expect(exact.events.map((e) => e.eventId)).toEqual(sent.map((r) => (r.kind === 'created' ? r.event.eventId : -1)));
    });

    it('the limit counts the user’s own events, not other dialogs’', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c, d] = users(4);
      const cd = await direct(ctx.store, w, c, d);
      const ab = await direct(ctx.store, w, a, b);
      const mine = await send(ctx.store, w, ab, a);
      await ctx.store.commitSends(Array.from({ length: 6 }, () => input(w, cd, c)));
      const page = await ctx.store.readEvents(w, b, 0, 2);
      expect(page.complete).toBe(true);
      expect(page.events.map((e) => e.eventId)).toEqual([mine.event.eventId]);
    });

    it('an event for one user (onlyUserId) reaches only that user', async () => {
      const w = await newWidget(ctx.store);
      const [opener, peer] = users(2);
      const { event } = await ctx.store.openDirectDialog(w, opener, peer, tick());
      expect(event!.onlyUserId).toBe(opener);
      expect((await eventsOf(ctx.store, w, opener)).map((e) => e.eventId)).toEqual([event!.eventId]);
      expect(await ctx.store.readEvents(w, peer, 0, 10)).toEqual({ head: event!.eventId, events: [], complete: true });
    });

    it('a user receives only the events of their own dialogs, in their own widget', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b, c] = users(3);
      const ab = await direct(ctx.store, w, a, b);
      const bc = await direct(ctx.store, w, b, c);
      const toA = await send(ctx.store, w, ab, b);
      await send(ctx.store, w, bc, b);
      await group(ctx.store, w, [b, c]);
      const elsewhere = await direct(ctx.store, other, a, b);
      await send(ctx.store, other, elsewhere, b);
      const ids = (await eventsOf(ctx.store, w, a)).map((e) => e.dialogId);
      expect(new Set(ids)).toEqual(new Set([ab]));
      expect((await eventsOf(ctx.store, w, a)).filter((e) => e.kind === 'message').map((e) => e.eventId)).toEqual([toA.event.eventId]);
      expect(new Set((await eventsOf(ctx.store, other, a)).map((e) => e.dialogId))).toEqual(new Set([elsewhere]));
    });

    it('logHead is the newest event’s position and grows with every logged change', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const heads: number[] = [];
      const opened = await ctx.store.openDirectDialog(w, a, b, tick());
      heads.push(await ctx.store.logHead(w));
      const sent = await send(ctx.store, w, opened.dialogId, a);
      heads.push(await ctx.store.logHead(w));
      const [delivered] = await ctx.store.commitDeliveries([{ widgetId: w, dialogId: opened.dialogId, userId: b, seq: 1, now: tick() }]);
      heads.push(await ctx.store.logHead(w));
      const [readResult] = await ctx.store.commitReads([
        { widgetId: w, dialogId: opened.dialogId, userId: b, messageId: sent.message.id, now: tick() },
      ]);
      heads.push(await ctx.store.logHead(w));
      // Delivered before read: whether a read also moves the delivered position is not promised.
      expectIncreasing(heads);
      const readEvent = readResult?.kind === 'ok' ? readResult.event?.eventId : -1;
      expect(heads).toEqual([opened.event!.eventId, sent.event.eventId, delivered?.event?.eventId, readEvent]);
    });
  });

  describe('pruneEvents', () => {
    /** A widget whose log holds events at t=1000..1300 and then t=5000..5100. */
    async function oldAndNew(store: Store) {
      const w = await newWidget(store);
      const [a, b] = users(2);
      const { dialogId, event: openedEvent } = await store.openDirectDialog(w, a, b, 1_000);
      const old = [openedEvent!];
      for (const now of [1_100, 1_200, 1_300]) old.push((await send(store, w, dialogId, b, { now })).event);
      const fresh = [(await send(store, w, dialogId, b, { now: 5_000 })).event, (await send(store, w, dialogId, a, { now: 5_100 })).event];
      return { w, a, b, old, fresh };
    }

    it('deletes the events logged before the time and answers how many', async () => {
      await withOwnStore(open, async (opened) => {
        const { w, a, old, fresh } = await oldAndNew(opened.store);
        expect(await opened.store.pruneEvents(2_000)).toBe(old.length);
        expect(await opened.store.pruneEvents(2_000)).toBe(0);
        expect(await opened.store.logHead(w)).toBe(fresh[1]!.eventId);
        expect(await eventsOf(opened.store, w, a, old[old.length - 1]!.eventId)).toEqual(fresh);
      });
    });

    it('a position whose following events were pruned is incomplete, whoever asks', async () => {
      await withOwnStore(open, async (opened) => {
        const { w, a, b, old, fresh } = await oldAndNew(opened.store);
        await opened.store.pruneEvents(2_000);
        const head = fresh[1]!.eventId;
        for (const user of [a, b]) {
          expect(await opened.store.readEvents(w, user, 0, 100)).toEqual({ head, events: [], complete: false });
          expect(await opened.store.readEvents(w, user, old[1]!.eventId, 100)).toEqual({ head, events: [], complete: false });
        }
        expect((await opened.store.readEvents(w, b, old[3]!.eventId, 100)).complete).toBe(true);
      });
    });
  });
}
