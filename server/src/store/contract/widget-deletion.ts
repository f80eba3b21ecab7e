// Store contract, deleting a widget: everything scoped by it goes in one call and is counted,
// another widget with the same user ids keeps every row, and the deleted id is never reused.
import { describe, expect, it } from 'vitest';
import type { Store } from '../types.ts';
import { type OpenStore, direct, group, newWidget, send, sorted, tick, uid, useStore, users, widgetFields } from './harness.ts';
import { upload } from './uploads.ts';

/**
 * Some of everything in one widget: a direct dialog with two messages, a read and a delivery, a
 * group with its first (system) message and one more, and two users' last-seen state.
 */
async function populate(store: Store, w: number, people: string[]) {
  const [a, b, c] = people as [string, string, string];
  const d = await direct(store, w, a, b);
  const first = await send(store, w, d, a);
  await send(store, w, d, a);
  await store.commitReads([{ widgetId: w, dialogId: d, userId: b, messageId: first.message.id, now: tick() }]);
  await store.commitDeliveries([{ widgetId: w, dialogId: d, userId: b, seq: 2, now: tick() }]);
  const g = (await group(store, w, [a, b, c])).dialogId;
  await send(store, w, g, c);
  await store.setLastSeen(w, b, tick());
  await store.setLastSeen(w, c, tick());
  return { d, g };
}

/** Everything the store answers about a widget's users and dialogs. */
async function snapshot(store: Store, w: number, people: string[], dialogIds: number[]) {
  const byUser: Record<string, unknown> = {};
  for (const u of people) {
    byUser[u] = {
      dialogs: await store.listDialogsForMember(w, u, null, 100),
      events: await store.readEvents(w, u, 0, 1_000),
      undelivered: await store.undelivered(w, u),
      contacts: sorted(await store.contactsOf(w, u)),
      memberships: await Promise.all(dialogIds.map((id) => store.getMembership(w, id, u))),
    };
  }
  const byDialog: Record<number, unknown> = {};
  for (const id of dialogIds) {
    byDialog[id] = { members: sorted(await store.getMemberIds(w, id)), messages: await store.listMessages(w, id, { limit: 100 }) };
  }
  return { head: await store.logHead(w), byUser, byDialog };
}

export function widgetDeletionContract(open: OpenStore) {
  describe('deleteWidget', () => {
    const ctx = useStore(open);

    it('removes the widget with its dialogs, members, messages, events and user state, and counts each', async () => {
      const widget = await ctx.store.insertWidget(widgetFields(uid('dev')), tick());
      const people = users(3);
      const { d, g } = await populate(ctx.store, widget.id, people);
      const eventIds = new Set<number>();
      for (const u of people) for (const e of (await ctx.store.readEvents(widget.id, u, 0, 1_000)).events) eventIds.add(e.eventId);
      expect(eventIds.size).toBeGreaterThan(3);
      await upload(ctx.store, widget.id, people[0]);

      expect(await ctx.store.deleteWidget(widget.id)).toEqual({
        widget,
        dialogs: 2,
        members: 5,
        // The group's first message is the system message of its creation.
        messages: 4,
        events: eventIds.size,
        // b's read in the direct dialog; in the group, the creator's of its first message and c's send past it.
        readMoves: 3,
        userStates: 2,
        uploads: 1,
      });

      expect(await ctx.store.getWidgetByDevId(widget.devId)).toBeNull();
      expect((await ctx.store.listWidgets()).map((w) => w.id)).not.toContain(widget.id);
      expect(await snapshot(ctx.store, widget.id, people, [d, g])).toEqual({
        head: 0,
        byUser: Object.fromEntries(
          people.map((u) => [u, { dialogs: [], events: { head: 0, events: [], complete: true }, undelivered: [], contacts: [], memberships: [null, null] }]),
        ),
        byDialog: { [d]: { members: [], messages: [] }, [g]: { members: [], messages: [] } },
      });
      for (const id of [d, g]) expect(await ctx.store.getDialogForMember(widget.id, id, people[0])).toBeNull();
    });

    it('leaves another widget’s data untouched, the same user ids included, and it stays writable', async () => {
      const [doomed, kept] = [await newWidget(ctx.store), await ctx.store.insertWidget(widgetFields(uid('dev')), tick())];
      const people = users(3);
      await populate(ctx.store, doomed, people);
      const { d, g } = await populate(ctx.store, kept.id, people);
      const before = await snapshot(ctx.store, kept.id, people, [d, g]);

      expect(await ctx.store.deleteWidget(doomed)).not.toBeNull();

      expect(await snapshot(ctx.store, kept.id, people, [d, g])).toEqual(before);
      expect(await ctx.store.getWidgetByDevId(kept.devId)).toEqual(kept);
      expect((await send(ctx.store, kept.id, d, people[1])).message.seq).toBe(3);
    });

    it('answers null for an unknown widget id, and for a widget already deleted', async () => {
      const w = await newWidget(ctx.store);
      expect(await ctx.store.deleteWidget(w)).not.toBeNull();
      expect(await ctx.store.deleteWidget(w)).toBeNull();
      expect(await ctx.store.deleteWidget(2 ** 31 - 7)).toBeNull();
    });

    it('never gives the deleted id to a widget created later, even under the same dev_id, which starts empty', async () => {
      const fields = widgetFields(uid('dev'));
      const old = await ctx.store.insertWidget(fields, tick());
      const people = users(3);
      const { d } = await populate(ctx.store, old.id, people);
      await ctx.store.deleteWidget(old.id);

      const again = await ctx.store.insertWidget(fields, tick());
      expect(again.id).not.toBe(old.id);
      expect(await ctx.store.getWidgetByDevId(fields.devId)).toEqual(again);
      expect(await ctx.store.listDialogsForMember(again.id, people[0], null, 100)).toEqual([]);
      expect(await ctx.store.logHead(again.id)).toBe(0);
      // What still holds the old id reaches neither the old data nor the new widget.
      expect(await ctx.store.getDialogForMember(old.id, d, people[0])).toBeNull();
      const later = await ctx.store.insertWidget(widgetFields(uid('dev')), tick());
      expect([again.id, later.id]).not.toContain(old.id);
    });

    it('refuses new dialogs under a deleted widget’s id and sends into its old dialogs', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { d } = await populate(ctx.store, w, [a, b, c]);
      await ctx.store.deleteWidget(w);

      await expect(ctx.store.openDirectDialog(w, a, b, tick())).rejects.toThrow();
      await expect(ctx.store.createGroup(w, { creatorId: a, title: 't', memberIds: [a, b, c], createdText: 't' }, tick())).rejects.toThrow();
      const [sent] = await ctx.store.commitSends([{ widgetId: w, dialogId: d, senderId: a, text: 'late', clientMsgId: null, now: tick() }]);
      expect(sent).toEqual({ kind: 'not_member' });
      expect(await ctx.store.logHead(w)).toBe(0);
      expect(await ctx.store.listDialogsForMember(w, a, null, 100)).toEqual([]);
    });
  });
}
