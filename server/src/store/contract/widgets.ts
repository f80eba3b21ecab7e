// Store contract, widgets and per-user state: rows round-trip, patches touch only what they name,
// unknown dev_ids answer null.
import { describe, expect, it } from 'vitest';
import { type OpenStore, direct, newWidget, tick, uid, useStore, users, widgetFields } from './harness.ts';

export function widgetContract(open: OpenStore) {
  describe('widgets', () => {
    const ctx = useStore(open);

    it('an inserted widget reads back by dev_id with its fields, id and times', async () => {
      const fields = widgetFields(uid('dev'));
      const now = tick();
      const row = await ctx.store.insertWidget(fields, now);
      expect(row).toEqual({ ...fields, id: expect.any(Number), createdAt: now, updatedAt: now });
      expect(await ctx.store.getWidgetByDevId(fields.devId)).toEqual(row);
    });

    it('getWidgetByDevId answers null for an unknown dev_id', async () => {
      expect(await ctx.store.getWidgetByDevId(uid('missing'))).toBeNull();
    });

    it('listWidgets includes every inserted widget, each with its own id', async () => {
      const a = await ctx.store.insertWidget(widgetFields(uid('dev')), tick());
      const b = await ctx.store.insertWidget({ ...widgetFields(uid('dev')), allowedOrigins: [], adminIds: [] }, tick());
      expect(a.id).not.toBe(b.id);
      expect(await ctx.store.listWidgets()).toEqual(expect.arrayContaining([a, b]));
    });

    it('updateWidget changes the patched fields and updatedAt, nothing else', async () => {
      const before = await ctx.store.insertWidget(widgetFields(uid('dev')), tick());
      const now = tick();
      const patch = { name: 'Renamed', allowedOrigins: ['https://a.example', 'https://b.example'], adminIds: [] };
      const after = await ctx.store.updateWidget(before.devId, patch, now);
      expect(after).toEqual({ ...before, ...patch, updatedAt: now });
      expect(await ctx.store.getWidgetByDevId(before.devId)).toEqual(after);
    });

    it('rate limits round-trip: left out they read back as null, and a patch sets and clears them', async () => {
      const { rateLimits: _, ...fields } = widgetFields(uid('dev'));
      const row = await ctx.store.insertWidget(fields, tick());
      expect(row.rateLimits).toBeNull();
      const limits = { typing: { ip: { burst: 7, perSecond: 2.5 } }, connect: { user: { burst: 1, perSecond: 0.001 } } };
      expect((await ctx.store.updateWidget(row.devId, { rateLimits: limits }, tick()))?.rateLimits).toEqual(limits);
      expect((await ctx.store.getWidgetByDevId(row.devId))?.rateLimits).toEqual(limits);
      expect((await ctx.store.updateWidget(row.devId, { rateLimits: null }, tick()))?.rateLimits).toBeNull();
      expect((await ctx.store.getWidgetByDevId(row.devId))?.rateLimits).toBeNull();
    });

    it('max group members round-trip: left out they read back as null, and a patch sets and clears them', async () => {
      const { maxGroupMembers: _, ...fields } = widgetFields(uid('dev'));
      const row = await ctx.store.insertWidget(fields, tick());
      expect(row.maxGroupMembers).toBeNull();
      expect((await ctx.store.updateWidget(row.devId, { maxGroupMembers: 12 }, tick()))?.maxGroupMembers).toBe(12);
      expect((await ctx.store.getWidgetByDevId(row.devId))?.maxGroupMembers).toBe(12);
      expect((await ctx.store.updateWidget(row.devId, { maxGroupMembers: null }, tick()))?.maxGroupMembers).toBeNull();
      expect((await ctx.store.getWidgetByDevId(row.devId))?.maxGroupMembers).toBeNull();
    });

    it('updateWidget answers null for an unknown dev_id and creates nothing', async () => {
      const devId = uid('missing');
      expect(await ctx.store.updateWidget(devId, { name: 'x' }, tick())).toBeNull();
      expect(await ctx.store.getWidgetByDevId(devId)).toBeNull();
    });
  });

  describe('setLastSeen', () => {
    const ctx = useStore(open);

    it('shows in the member states of the user’s dialogs, in that widget only', async () => {
      const [w1, w2] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b] = users(2);
      const d1 = await direct(ctx.store, w1, a, b);
      const d2 = await direct(ctx.store, w2, a, b);
      const seenOf = async (w: number, d: number) =>
        (await ctx.store.getDialogForMember(w, d, a))?.members.find((m) => m.userId === b)?.lastSeenAt;
      expect(await seenOf(w1, d1)).toBeNull();
      const at = tick();
      await ctx.store.setLastSeen(w1, b, at);
      expect(await seenOf(w1, d1)).toBe(at);
      expect(await seenOf(w2, d2)).toBeNull();
      const later = tick();
      await ctx.store.setLastSeen(w1, b, later);
      expect(await seenOf(w1, d1)).toBe(later);
    });
  });
}
