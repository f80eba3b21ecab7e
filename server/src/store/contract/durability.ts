// Store contract, durability: what was committed reads back the same after the store is closed
// and opened again, and the counters (seq, log position, uniqueness) carry on from there.
import { describe, expect, it } from 'vitest';
import type { Store } from '../types.ts';
import { type OpenStore, direct, expectKind, group, input, send, tick, uid, users, widgetFields, withOwnStore } from './harness.ts';

/** Everything the suite reads back, as one value to compare before and after. */
async function snapshot(store: Store, w: number, devId: string, dialogs: number[], people: string[]) {
  return {
    widget: await store.getWidgetByDevId(devId),
    head: await store.logHead(w),
    views: await Promise.all(dialogs.map((d) => store.getDialogForMember(w, d, people[0]!))),
    messages: await Promise.all(dialogs.map((d) => store.listMessages(w, d, { limit: 100 }))),
    lists: await Promise.all(people.map((u) => store.listDialogsForMember(w, u, null, 100))),
    events: await Promise.all(people.map((u) => store.readEvents(w, u, 0, 100))),
    undelivered: await Promise.all(people.map((u) => store.undelivered(w, u))),
  };
}

export function durabilityContract(open: OpenStore) {
  describe('durability', () => {
    it('committed data survives closing and reopening the store', async ({ skip }) => {
      await withOwnStore(open, async ({ store, reopen }) => {
        if (!reopen) return skip('no reopen given');
        const devId = uid('dev');
        const w = (await store.insertWidget(widgetFields(devId), tick())).id;
        await store.updateWidget(devId, { name: 'Renamed', adminIds: ['x'] }, tick());
        const [a, b, c] = users(3);
        const d = await direct(store, w, a, b);
        const g = (await group(store, w, [a, b, c], 'Kept')).dialogId;
        const clientMsgId = uid('cmid');
        const first = await send(store, w, d, a, { clientMsgId });
        await send(store, w, d, b);
        await send(store, w, g, c);
        await store.commitReads([{ widgetId: w, dialogId: d, userId: b, messageId: first.message.id, now: tick() }]);
        await store.commitDeliveries([{ widgetId: w, dialogId: g, userId: a, seq: 1, now: tick() }]);
        await store.setLastSeen(w, b, tick());
        const before = await snapshot(store, w, devId, [d, g], [a, b, c]);
        await store.close();

        const again = await reopen();
        expect(await snapshot(again, w, devId, [d, g], [a, b, c])).toEqual(before);
        expect(await again.openDirectDialog(w, b, a, tick())).toEqual({ dialogId: d, created: false, event: null });
        const [replay, next] = await again.commitSends([input(w, d, a, { clientMsgId }), input(w, d, a)]);
        expect(replay).toEqual({ kind: 'duplicate', message: first.message });
        const created = expectKind(next, 'created');
        expect(created.message.seq).toBe(3);
        expect(created.event.eventId).toBeGreaterThan(before.head);
      });
    });
  });
}
