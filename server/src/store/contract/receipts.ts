// Store contract, read and delivered positions: they only move forward, a move logs one event,
// and undelivered() finds the dialogs whose newest message has not reached the member.
import { describe, expect, it } from 'vitest';
import type { DeliveryInput, ReadInput, Store } from '../types.ts';
import { type OpenStore, direct, expectKind, group, newWidget, send, sorted, tick, useStore, users } from './harness.ts';

const read = (widgetId: number, dialogId: number, userId: string, messageId: number): ReadInput => ({
  widgetId,
  dialogId,
  userId,
  messageId,
  now: tick(),
});
const delivery = (widgetId: number, dialogId: number, userId: string, seq: number): DeliveryInput => ({
  widgetId,
  dialogId,
  userId,
  seq,
  now: tick(),
});

/** A dialog of a and b with n messages from a. */
async function chat(store: Store, n: number) {
  const w = await newWidget(store);
  const [a, b] = users(2);
  const d = await direct(store, w, a, b);
  const messages = [];
  for (let i = 0; i < n; i++) messages.push((await send(store, w, d, a)).message);
  return { w, a, b, d, messages };
}

export function receiptContract(open: OpenStore) {
  describe('commitReads', () => {
    const ctx = useStore(open);

    it('moves the reader’s position to the message and logs a read event for the dialog', async () => {
      const { w, a, b, d, messages } = await chat(ctx.store, 3);
      const [r] = await ctx.store.commitReads([read(w, d, b, messages[1]!.id)]);
      const ok = expectKind(r, 'ok');
      expect(ok).toMatchObject({ seq: 2, messageId: messages[1]!.id, lastSeq: 3, unreadCount: 1 });
      expect(sorted(ok.memberIds)).toEqual(sorted([a, b]));
      expect(ok.event).toEqual({
        eventId: expect.any(Number),
        dialogId: d,
        kind: 'read',
        userId: b,
        seq: 2,
        messageId: messages[1]!.id,
        onlyUserId: null,
        createdAt: expect.any(Number),
      });
      expect(await ctx.store.getMembership(w, d, b)).toMatchObject({ lastSeq: 3, lastReadSeq: 2 });
      expect(await ctx.store.logHead(w)).toBe(ok.event!.eventId);
    });

    it('never moves backwards: an older or the same message answers the current position and logs nothing', async () => {
      const { w, b, d, messages } = await chat(ctx.store, 3);
      await ctx.store.commitReads([read(w, d, b, messages[2]!.id)]);
      const head = await ctx.store.logHead(w);
      const [older, same] = await ctx.store.commitReads([read(w, d, b, messages[0]!.id), read(w, d, b, messages[2]!.id)]);
      for (const r of [older, same]) expect(expectKind(r, 'ok')).toMatchObject({ seq: 3, messageId: messages[2]!.id, lastSeq: 3, unreadCount: 0, event: null });
      expect(await ctx.store.getMembership(w, d, b)).toMatchObject({ lastSeq: 3, lastReadSeq: 3 });
      expect(await ctx.store.logHead(w)).toBe(head);
    });

    it('a batch answers each input in order, moving positions input by input', async () => {
      const { w, b, d, messages } = await chat(ctx.store, 3);
      const inputs = [read(w, d, b, messages[0]!.id), read(w, d, b, messages[2]!.id), read(w, d, b, messages[1]!.id)];
      const results = (await ctx.store.commitReads(inputs)).map((r) => expectKind(r, 'ok'));
      expect(results.map((r) => [r.seq, r.event?.seq ?? null])).toEqual([
        [1, 1],
        [3, 3],
        [3, null],
      ]);
      expect(results[1]!.event!.eventId).toBeGreaterThan(results[0]!.event!.eventId);
    });

    it('a message of another dialog, or no message at all, is message_not_found', async () => {
      const { w, a, b, d, messages } = await chat(ctx.store, 1);
      const elsewhere = await send(ctx.store, w, await direct(ctx.store, w, a, users(1)[0]), a);
      const results = await ctx.store.commitReads([read(w, d, b, elsewhere.message.id), read(w, d, b, messages[0]!.id + 1_000_000)]);
      expect(results).toEqual([{ kind: 'message_not_found' }, { kind: 'message_not_found' }]);
      expect(await ctx.store.getMembership(w, d, b)).toMatchObject({ lastSeq: 1, lastReadSeq: 0 });
    });

    it('a stranger, or the dialog addressed through another widget, is not_member', async () => {
      const { w, b, d, messages } = await chat(ctx.store, 1);
      const other = await newWidget(ctx.store);
      const [stranger] = users(1);
      const results = await ctx.store.commitReads([read(w, d, stranger, messages[0]!.id), read(other, d, b, messages[0]!.id)]);
      expect(results).toEqual([{ kind: 'not_member' }, { kind: 'not_member' }]);
      expect(await ctx.store.getMembership(w, d, b)).toMatchObject({ lastSeq: 1, lastReadSeq: 0 });
    });
  });

  describe('commitReads in a group', () => {
    const ctx = useStore(open);
    it('logs the read for the reader only, and names the sender of the message read up to', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const g = (await group(ctx.store, w, [a, b, c])).dialogId;
      const m = (await send(ctx.store, w, g, c)).message;
      const before = await ctx.store.logHead(w);
      const [r] = await ctx.store.commitReads([read(w, g, b, m.id)]);
      const ok = expectKind(r!, 'ok');
      // Its first message (seq 1) is the system message of its creation.
      expect(ok).toMatchObject({ seq: 2, dialogType: 'group', messageSenderId: c, memberIds: [b] });
      expect(ok.event).toMatchObject({ kind: 'read', userId: b, onlyUserId: b });
      const ids = async (u: string) => (await ctx.store.readEvents(w, u, before, 100)).events.map((e) => e.eventId);
      expect(await ids(b)).toEqual([ok.event!.eventId]);
      expect(await ids(a)).toEqual([]);
      expect(await ids(c)).toEqual([]);
    });
  });

  describe('commitDeliveries', () => {
    const ctx = useStore(open);
    const deliveredOf = async (store: Store, w: number, d: number, viewer: string, user: string) =>
      (await store.getDialogForMember(w, d, viewer))?.members.find((m) => m.userId === user)?.lastDeliveredSeq;

    it('moves the member’s delivered position forward and logs a delivered event', async () => {
      const { w, a, b, d } = await chat(ctx.store, 2);
      const [r] = await ctx.store.commitDeliveries([delivery(w, d, b, 2)]);
      expect(r!.event).toMatchObject({ dialogId: d, kind: 'delivered', userId: b, seq: 2, onlyUserId: null });
      expect(sorted(r!.memberIds)).toEqual(sorted([a, b]));
      expect(await deliveredOf(ctx.store, w, d, a, b)).toBe(2);
      expect(await ctx.store.logHead(w)).toBe(r!.event!.eventId);
    });

    it('never moves backwards, and answers null when nothing moved', async () => {
      const { w, a, b, d } = await chat(ctx.store, 3);
      const [first, older, same, next] = await ctx.store.commitDeliveries([2, 1, 2, 3].map((seq) => delivery(w, d, b, seq)));
      expect([first?.event?.seq, older, same, next?.event?.seq]).toEqual([2, null, null, 3]);
      expect(next!.event!.eventId).toBeGreaterThan(first!.event!.eventId);
      expect(await deliveredOf(ctx.store, w, d, a, b)).toBe(3);
    });

    it('in a group, stores the position without logging an event (no rows or frames that grow with the group)', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const g = (await group(ctx.store, w, [a, b, c])).dialogId;
      const { message } = await send(ctx.store, w, g, a);
      const head = await ctx.store.logHead(w);
      const [r] = await ctx.store.commitDeliveries([delivery(w, g, b, message.seq)]);
      expect(r).toMatchObject({ seq: message.seq, dialogType: 'group', event: null });
      expect(await ctx.store.logHead(w)).toBe(head);
      expect(await deliveredOf(ctx.store, w, g, a, b)).toBe(message.seq);
      expect(await ctx.store.commitDeliveries([delivery(w, g, b, message.seq)])).toEqual([null]);
    });

    it('answers null for a stranger and for the dialog addressed through another widget', async () => {
      const { w, a, b, d } = await chat(ctx.store, 1);
      const other = await newWidget(ctx.store);
      const head = await ctx.store.logHead(w);
      expect(await ctx.store.commitDeliveries([delivery(w, d, users(1)[0], 1), delivery(other, d, b, 1)])).toEqual([null, null]);
      expect(await deliveredOf(ctx.store, w, d, a, b)).toBe(0);
      expect(await ctx.store.logHead(w)).toBe(head);
    });
  });

  describe('undelivered', () => {
    const ctx = useStore(open);
    const bySeq = (xs: Array<{ dialogId: number; seq: number }>) => [...xs].sort((x, y) => x.dialogId - y.dialogId);

    it('lists the dialogs whose newest message is beyond the member’s delivered position', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [me, a, c] = users(3);
      const withA = await direct(ctx.store, w, a, me);
      const withC = await direct(ctx.store, w, c, me);
      const mine = await direct(ctx.store, w, me, users(1)[0]);
      // A new group's first message (its creation) has reached nobody but its creator yet.
      const g = (await group(ctx.store, w, [a, me, c])).dialogId;
      await send(ctx.store, w, withA, a);
      await send(ctx.store, w, withA, a);
      await send(ctx.store, w, withC, c);
      await send(ctx.store, w, mine, me);
      const toMe = [{ dialogId: withA, seq: 2 }, { dialogId: withC, seq: 1 }, { dialogId: g, seq: 1 }];
      expect(bySeq(await ctx.store.undelivered(w, me))).toEqual(bySeq(toMe));
      await ctx.store.commitDeliveries([delivery(w, withA, me, 1)]);
      expect(bySeq(await ctx.store.undelivered(w, me))).toEqual(bySeq(toMe));
      await ctx.store.commitDeliveries([delivery(w, withA, me, 2), delivery(w, g, me, 1)]);
      expect(await ctx.store.undelivered(w, me)).toEqual([{ dialogId: withC, seq: 1 }]);
      expect(await ctx.store.undelivered(w, a)).toEqual([]);
      expect(await ctx.store.undelivered(other, me)).toEqual([]);
    });
  });
}
