// Store contract, the host API's rows: idempotency keys claimed exactly once (also by many claims
// at once), answered, given up, expired and pruned, per widget; the host key kept as a hash; and
// a dialog's anchor member.
import { describe, expect, it } from 'vitest';
import { type OpenStore, direct, group, newWidget, tick, uid, useStore, users, widgetFields } from './harness.ts';

export function hostContract(open: OpenStore) {
  describe('host API rows', () => {
    const ctx = useStore(open);

    it('claims a key once; a second claim sees the first, then its answer', async () => {
      const w = await newWidget(ctx.store);
      const key = uid('key');
      const t = tick();
      expect(await ctx.store.claimHostRequest(w, key, 'h1', t, t - 86_400_000, t - 60_000)).toBeNull();
      expect(await ctx.store.claimHostRequest(w, key, 'h1', t, t - 86_400_000, t - 60_000)).toEqual({ requestHash: 'h1', status: null, body: null, createdAt: t });
      await ctx.store.completeHostRequest(w, key, 201, '{"id":7}');
      expect(await ctx.store.claimHostRequest(w, key, 'h2', t, t - 86_400_000, t - 60_000)).toEqual({ requestHash: 'h1', status: 201, body: '{"id":7}', createdAt: t });
      // Another widget's key of the same name is its own.
      const other = await newWidget(ctx.store);
      expect(await ctx.store.claimHostRequest(other, key, 'h3', t, t - 86_400_000, t - 60_000)).toBeNull();
    });

    it('of many concurrent claims of one key exactly one wins', async () => {
      const w = await newWidget(ctx.store);
      const key = uid('key');
      const t = tick();
      const claims = await Promise.all(Array.from({ length: 16 }, () => ctx.store.claimHostRequest(w, key, 'h', t, t - 86_400_000, t - 60_000)));
      expect(claims.filter((c) => c === null)).toHaveLength(1);
    });

    it('a released claim, an expired answer and a stale claim can be claimed again; an answered one is not released', async () => {
      const w = await newWidget(ctx.store);
      const [k1, k2, k3] = [uid('key'), uid('key'), uid('key')];
      const t = tick();
      const claim = (k: string, at: number, h = 'h') => ctx.store.claimHostRequest(w, k, h, at, at - 86_400_000, at - 60_000);
      expect(await claim(k1, t)).toBeNull();
      await ctx.store.releaseHostRequest(w, k1);
      expect(await claim(k1, t)).toBeNull();

      expect(await claim(k2, t)).toBeNull();
      await ctx.store.completeHostRequest(w, k2, 200, '{}');
      await ctx.store.releaseHostRequest(w, k2);
      expect((await claim(k2, t + 60_001))?.status).toBe(200);
      expect(await claim(k2, t + 86_400_001, 'other')).toBeNull();

      expect(await claim(k3, t)).toBeNull();
      expect(await claim(k3, t + 59_000)).not.toBeNull();
      expect(await claim(k3, t + 60_001)).toBeNull();
    });

    it('prunes rows created before a time, of every widget, and deleting a widget deletes its rows', async () => {
      const [w1, w2] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const t = tick();
      const [old1, old2, fresh] = [uid('key'), uid('key'), uid('key')];
      await ctx.store.claimHostRequest(w1, old1, 'h', t - 10, 0, 0);
      await ctx.store.claimHostRequest(w2, old2, 'h', t - 10, 0, 0);
      await ctx.store.claimHostRequest(w1, fresh, 'h', t, 0, 0);
      expect(await ctx.store.pruneHostRequests(t - 5)).toBeGreaterThanOrEqual(2);
      expect(await ctx.store.claimHostRequest(w1, old1, 'again', t, 0, 0)).toBeNull();
      expect(await ctx.store.claimHostRequest(w1, fresh, 'again', t, 0, 0)).not.toBeNull();
      expect(await ctx.store.deleteWidget(w1)).not.toBeNull();
      // The key is free again only because its widget is gone: a new widget never sees the old rows.
      const w3 = await newWidget(ctx.store);
      expect(await ctx.store.claimHostRequest(w3, fresh, 'h', t, 0, 0)).toBeNull();
    });

    it('keeps the host key hash with the widget, and clears it', async () => {
      const devId = uid('dev');
      const inserted = await ctx.store.insertWidget({ ...widgetFields(devId), hostApiKeyHash: 'ab'.repeat(32) }, tick());
      expect(inserted.hostApiKeyHash).toBe('ab'.repeat(32));
      expect((await ctx.store.getWidgetByDevId(devId))!.hostApiKeyHash).toBe('ab'.repeat(32));
      expect((await ctx.store.updateWidget(devId, { hostApiKeyHash: null }, tick()))!.hostApiKeyHash).toBeNull();
      const { hostApiKeyHash: _left, ...withoutKey } = widgetFields(uid('dev'));
      expect((await ctx.store.insertWidget(withoutKey, tick())).hostApiKeyHash).toBeNull();
    });

    it('anchors a dialog on its owner, else its longest-standing member; not for another widget', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b, c] = users(3);
      const { dialogId } = await group(ctx.store, w, [a, b, c]);
      expect(await ctx.store.dialogAnchor(w, dialogId)).toBe(a);
      expect(await ctx.store.dialogAnchor(other, dialogId)).toBeNull();
      expect(await ctx.store.dialogAnchor(w, 987_654_321)).toBeNull();
      const d = await direct(ctx.store, w, b, c);
      expect([b, c]).toContain(await ctx.store.dialogAnchor(w, d));
    });
  });
}
