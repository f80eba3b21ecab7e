// Store contract, a member's own view of a dialog: mute, logged for them alone; and read-by, when
// each member's read position first reached a message, exact and durable.
import { describe, expect, it } from 'vitest';
import { change, sys } from './groups.ts';
import { type OpenStore, direct, eventsOf, group, newWidget, send, tick, useStore, users } from './harness.ts';

export function readerContract(open: OpenStore) {
  describe('setMuted', () => {
    const ctx = useStore(open);

    it('sets a member’s mute, logging a dialog event for them alone; the same value again logs nothing', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const head = await ctx.store.logHead(w);
      const r = await ctx.store.setMuted(w, d, b, true, tick());
      expect(r!.event).toMatchObject({ kind: 'dialog', dialogId: d, userId: b, onlyUserId: b });
      expect(await ctx.store.setMuted(w, d, b, true, tick())).toEqual({ event: null });
      expect((await ctx.store.getDialogForMember(w, d, b))!.muted).toBe(true);
      expect((await ctx.store.getDialogForMember(w, d, a))!.muted).toBe(false);
      expect((await eventsOf(ctx.store, w, b, head)).map((e) => e.eventId)).toEqual([r!.event!.eventId]);
      expect(await eventsOf(ctx.store, w, a, head)).toEqual([]);
      expect((await ctx.store.setMuted(w, d, b, false, tick()))!.event).not.toBeNull();
      expect((await ctx.store.getDialogForMember(w, d, b))!.muted).toBe(false);
    });

    it('answers null for a stranger and for the dialog addressed through another widget', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b, stranger] = users(3);
      const d = await direct(ctx.store, w, a, b);
      const heads = [await ctx.store.logHead(w), await ctx.store.logHead(other)];
      expect(await ctx.store.setMuted(w, d, stranger, true, tick())).toBeNull();
      expect(await ctx.store.setMuted(other, d, a, true, tick())).toBeNull();
      expect([await ctx.store.logHead(w), await ctx.store.logHead(other)]).toEqual(heads);
      expect((await ctx.store.getDialogForMember(w, d, a))!.muted).toBe(false);
    });
  });

  describe('readBy', () => {
    const ctx = useStore(open);

    it('answers when each current member’s position first reached the message, most recent first', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c, d] = users(4);
      const { dialogId: g } = await group(ctx.store, w, [a, b, c, d]);
      const m1 = (await send(ctx.store, w, g, a)).message;
      const m2 = (await send(ctx.store, w, g, a)).message;
      const read = (u: string, messageId: number, now: number) => ctx.store.commitReads([{ widgetId: w, dialogId: g, userId: u, messageId, now }]);
      const t1 = tick();
      await read(b, m1.id, t1);
      const t2 = tick();
      await read(c, m2.id, t2);
      const t3 = tick();
      await read(b, m2.id, t3);
      expect(await ctx.store.readBy(w, g, m1.id)).toEqual({ seq: m1.seq, senderId: a, readers: [{ userId: c, readAt: t2 }, { userId: b, readAt: t1 }] });
      expect(await ctx.store.readBy(w, g, m2.id)).toEqual({ seq: m2.seq, senderId: a, readers: [{ userId: b, readAt: t3 }, { userId: c, readAt: t2 }] });
      // Reading again, or an older message, does not move the time.
      await read(c, m1.id, tick());
      expect((await ctx.store.readBy(w, g, m1.id))!.readers).toEqual([{ userId: c, readAt: t2 }, { userId: b, readAt: t1 }]);
    });

    it('a send that skips others’ messages reads them; one that skips nothing makes nobody a reader', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { dialogId: g } = await group(ctx.store, w, [a, b, c]);
      const fromA = (await send(ctx.store, w, g, a)).message;
      const at = tick();
      const reply = (await send(ctx.store, w, g, b, { now: at })).message;
      expect((await ctx.store.readBy(w, g, fromA.id))!.readers).toEqual([{ userId: b, readAt: at }]);
      // a had read everything before their own message: their own does not make them its reader.
      // Nor is a message's sender ever its reader.
      expect(await ctx.store.readBy(w, g, reply.id)).toEqual({ seq: reply.seq, senderId: b, readers: [] });
    });

    it('leaves out departed members, and answers null for another dialog’s message or another widget', async () => {
      const w = await newWidget(ctx.store);
      const other = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { dialogId: g } = await group(ctx.store, w, [a, b, c]);
      const m = (await send(ctx.store, w, g, a)).message;
      await ctx.store.commitReads([{ widgetId: w, dialogId: g, userId: b, messageId: m.id, now: tick() }]);
      await ctx.store.commitReads([{ widgetId: w, dialogId: g, userId: c, messageId: m.id, now: tick() }]);
      await change(ctx.store, w, g, a, { depart: [{ userId: b, how: 'removed' }], messages: [sys('removed', a, [b])] });
      expect((await ctx.store.readBy(w, g, m.id))!.readers.map((r) => r.userId)).toEqual([c]);
      const elsewhere = (await send(ctx.store, w, await direct(ctx.store, w, a, b), a)).message;
      expect(await ctx.store.readBy(w, g, elsewhere.id)).toBeNull();
      expect(await ctx.store.readBy(other, g, m.id)).toBeNull();
    });
  });
}
