// Store contract, reading back: pages of messages by seq, and a member's dialog list ordered by
// activity with cursor paging, where an empty direct dialog shows only for its opener.
import { describe, expect, it } from 'vitest';
import type { DialogView } from '../types.ts';
import { type OpenStore, direct, group, newWidget, send, useStore, users } from './harness.ts';

export function listingContract(open: OpenStore) {
  describe('listMessages', () => {
    const ctx = useStore(open);

    it('pages by seq: newest, before and after, always in ascending order', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const sent = [];
      for (let i = 0; i < 5; i++) sent.push((await send(ctx.store, w, d, i % 2 ? a : b)).message);
      const seqs = async (query: Parameters<typeof ctx.store.listMessages>[2]) =>
        (await ctx.store.listMessages(w, d, query)).map((m) => m.seq);
      expect(await ctx.store.listMessages(w, d, { limit: 10 })).toEqual(sent);
      expect(await seqs({ limit: 3 })).toEqual([3, 4, 5]);
      expect(await seqs({ before: 5, limit: 2 })).toEqual([3, 4]);
      expect(await seqs({ before: 3, limit: 10 })).toEqual([1, 2]);
      expect(await seqs({ before: 1, limit: 10 })).toEqual([]);
      expect(await seqs({ after: 1, limit: 2 })).toEqual([2, 3]);
      expect(await seqs({ after: 3, limit: 10 })).toEqual([4, 5]);
      expect(await seqs({ after: 5, limit: 10 })).toEqual([]);
      expect(await ctx.store.listMessages(other, d, { limit: 10 })).toEqual([]);
    });

    it('keeps each dialog’s messages to itself', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const ab = await direct(ctx.store, w, a, b);
      const ac = await direct(ctx.store, w, a, c);
      const m1 = (await send(ctx.store, w, ab, a)).message;
      const m2 = (await send(ctx.store, w, ac, a)).message;
      expect(await ctx.store.listMessages(w, ab, { limit: 10 })).toEqual([m1]);
      expect(await ctx.store.listMessages(w, ac, { limit: 10 })).toEqual([m2]);
    });
  });

  describe('listDialogsForMember', () => {
    const ctx = useStore(open);
    const ids = (views: DialogView[]) => views.map((v) => v.id);

    it('lists the most recently active dialog first', async () => {
      const w = await newWidget(ctx.store);
      const [me, b, c, d] = users(4);
      const [withB, withC, withD] = [await direct(ctx.store, w, b, me), await direct(ctx.store, w, c, me), await direct(ctx.store, w, d, me)];
      await send(ctx.store, w, withC, c);
      await send(ctx.store, w, withD, d);
      await send(ctx.store, w, withB, b);
      expect(ids(await ctx.store.listDialogsForMember(w, me, null, 10))).toEqual([withB, withD, withC]);
      await send(ctx.store, w, withC, me);
      expect(ids(await ctx.store.listDialogsForMember(w, me, null, 10))).toEqual([withC, withB, withD]);
    });

    it('pages with a cursor: strictly after it, no repeats, nothing after the last', async () => {
      const w = await newWidget(ctx.store);
      const [me, ...others] = users(6);
      for (const other of others.slice(0, 5)) await send(ctx.store, w, await direct(ctx.store, w, other, me), other);
      const all = ids(await ctx.store.listDialogsForMember(w, me, null, 100));
      expect(all).toHaveLength(5);
      const paged: number[] = [];
      let page = await ctx.store.listDialogsForMember(w, me, null, 2);
      const sizes = [];
      while (page.length > 0) {
        sizes.push(page.length);
        paged.push(...ids(page));
        const last = page[page.length - 1]!;
        page = await ctx.store.listDialogsForMember(w, me, { activityAt: last.activityAt, dialogId: last.id }, 2);
      }
      expect(sizes).toEqual([2, 2, 1]);
      expect(paged).toEqual(all);
    });

    it('an empty direct dialog is listed for its opener only, until its first message', async () => {
      const w = await newWidget(ctx.store);
      const [opener, peer] = users(2);
      const d = await direct(ctx.store, w, opener, peer);
      expect(ids(await ctx.store.listDialogsForMember(w, opener, null, 10))).toEqual([d]);
      expect(await ctx.store.listDialogsForMember(w, peer, null, 10)).toEqual([]);
      await send(ctx.store, w, d, opener);
      expect(ids(await ctx.store.listDialogsForMember(w, peer, null, 10))).toEqual([d]);
    });

    it('a group is listed for every member from its creation, and for nobody else', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c, stranger] = users(4);
      const { dialogId } = await group(ctx.store, w, [a, b, c]);
      for (const m of [a, b, c]) expect(ids(await ctx.store.listDialogsForMember(w, m, null, 10))).toEqual([dialogId]);
      expect(await ctx.store.listDialogsForMember(w, stranger, null, 10)).toEqual([]);
    });

    it('each view carries the last message and the viewer’s own read position', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      await send(ctx.store, w, d, a);
      const last = (await send(ctx.store, w, d, a)).message;
      const [forA] = await ctx.store.listDialogsForMember(w, a, null, 10);
      const [forB] = await ctx.store.listDialogsForMember(w, b, null, 10);
      expect(forA).toMatchObject({ id: d, type: 'direct', lastSeq: 2, lastMessage: last, lastReadSeq: 2, memberCount: 2 });
      expect(forB).toMatchObject({ id: d, type: 'direct', lastSeq: 2, lastMessage: last, lastReadSeq: 0, memberCount: 2 });
      expect(await ctx.store.getDialogForMember(w, d, b)).toEqual(forB);
    });

    it('lists only the widget’s own dialogs', async () => {
      const [w1, w2] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b] = users(2);
      const d1 = await direct(ctx.store, w1, a, b);
      const d2 = await direct(ctx.store, w2, a, b);
      await send(ctx.store, w1, d1, b);
      await send(ctx.store, w2, d2, b);
      expect(ids(await ctx.store.listDialogsForMember(w1, a, null, 10))).toEqual([d1]);
      expect(ids(await ctx.store.listDialogsForMember(w2, a, null, 10))).toEqual([d2]);
    });
  });
}
