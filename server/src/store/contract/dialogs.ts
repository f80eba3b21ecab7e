// Store contract, dialogs: one direct dialog per pair, groups with their members, and the
// membership lookups that every other call's permission rests on.
import { describe, expect, it } from 'vitest';
import { type OpenStore, direct, eventsOf, group, newWidget, send, sorted, tick, useStore, users } from './harness.ts';

export function dialogContract(open: OpenStore) {
  describe('openDirectDialog', () => {
    const ctx = useStore(open);

    it('gets the same dialog from either side, created true only the first time', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const first = await ctx.store.openDirectDialog(w, a, b, tick());
      const again = await ctx.store.openDirectDialog(w, a, b, tick());
      const reverse = await ctx.store.openDirectDialog(w, b, a, tick());
      expect(first.created).toBe(true);
      expect(again).toEqual({ dialogId: first.dialogId, created: false, event: null });
      expect(reverse).toEqual({ dialogId: first.dialogId, created: false, event: null });
    });

    it('a new dialog logs one dialog event, for the opener only', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const { dialogId, event } = await ctx.store.openDirectDialog(w, a, b, tick());
      expect(event).toEqual({
        eventId: expect.any(Number),
        dialogId,
        kind: 'dialog',
        userId: a,
        seq: 0,
        messageId: null,
        onlyUserId: a,
        createdAt: expect.any(Number),
      });
      expect(await ctx.store.logHead(w)).toBe(event!.eventId);
      expect(await eventsOf(ctx.store, w, a)).toEqual([event]);
      expect(await eventsOf(ctx.store, w, b)).toEqual([]);
    });

    it('distinct pairs, and the same pair in another widget, get distinct dialogs', async () => {
      const [w1, w2] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b, c] = users(3);
      const ab = await direct(ctx.store, w1, a, b);
      const ac = await direct(ctx.store, w1, a, c);
      const other = await ctx.store.openDirectDialog(w2, a, b, tick());
      expect(new Set([ab, ac, other.dialogId]).size).toBe(3);
      expect(other.created).toBe(true);
    });

    it('a direct dialog is seen by both members as type direct, no title, two members', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      for (const viewer of [a, b]) {
        const view = await ctx.store.getDialogForMember(w, d, viewer);
        expect(view).toMatchObject({ id: d, type: 'direct', title: null, memberCount: 2, lastSeq: 0, lastMessage: null, lastReadSeq: 0 });
        expect(view).toMatchObject({ unreadCount: 0, membership: 'member', muted: false, avatarUrl: null, history: 'all' });
        expect(view!.members.every((m) => m.role === 'member')).toBe(true);
        expect(sorted(view!.members.map((m) => m.userId))).toEqual(sorted([a, b]));
      }
    });
  });

  describe('createGroup', () => {
    const ctx = useStore(open);

    it('creates a group with its title, members and first message, as every member sees it', async () => {
      const w = await newWidget(ctx.store);
      const members = users(4);
      const { dialogId, created } = await group(ctx.store, w, members, 'Team');
      expect(created.message).toEqual({
        id: expect.any(Number),
        dialogId,
        seq: 1,
        senderId: null,
        kind: 'system',
        text: `${members[0]} created the group “Team”`,
        clientMsgId: null,
        createdAt: expect.any(Number),
        system: { action: 'created', actor_id: members[0], user_ids: [], title: 'Team' },
        attachments: [],
      });
      for (const viewer of members) {
        const view = await ctx.store.getDialogForMember(w, dialogId, viewer);
        expect(view).toMatchObject({ id: dialogId, type: 'group', title: 'Team', memberCount: 4, lastSeq: 1, lastMessage: created.message });
        // A system message is nobody's unread.
        expect(view).toMatchObject({ unreadCount: 0, membership: 'member', muted: false, joinedSeq: 0, history: 'from_join', avatarUrl: null });
        expect(sorted(view!.members.map((m) => m.userId))).toEqual(sorted(members));
      }
      expect(sorted(await ctx.store.getMemberIds(w, dialogId))).toEqual(sorted(members));
    });

    it('its creator is the owner and has seen the first message; everyone else is a member who has read nothing', async () => {
      const w = await newWidget(ctx.store);
      const [creator, ...rest] = users(3);
      const { dialogId } = await group(ctx.store, w, [creator, ...rest]);
      const view = (await ctx.store.getDialogForMember(w, dialogId, rest[0]!))!;
      const state = Object.fromEntries(view.members.map((m) => [m.userId, m]));
      expect(state[creator]).toMatchObject({ role: 'owner', lastReadSeq: 1, lastDeliveredSeq: 1, unreadCount: 0, joinedAt: expect.any(Number) });
      for (const m of rest) expect(state[m]).toMatchObject({ role: 'member', lastReadSeq: 0, lastDeliveredSeq: 0, unreadCount: 0 });
      expect((await ctx.store.getDialogForMember(w, dialogId, creator))!.lastReadSeq).toBe(1);
    });

    it('logs its first message’s event, then a dialog event, for every member and nobody else', async () => {
      const w = await newWidget(ctx.store);
      const members = users(3);
      const [stranger] = users(1);
      const { dialogId, event, created } = await group(ctx.store, w, members);
      expect(created.event).toEqual({
        eventId: event.eventId - 1,
        dialogId,
        kind: 'message',
        userId: members[0],
        seq: 1,
        messageId: created.message.id,
        onlyUserId: null,
        createdAt: expect.any(Number),
      });
      expect(event).toEqual({
        eventId: expect.any(Number),
        dialogId,
        kind: 'dialog',
        userId: members[0],
        seq: 0,
        messageId: null,
        onlyUserId: null,
        createdAt: expect.any(Number),
      });
      for (const m of members) expect(await eventsOf(ctx.store, w, m)).toEqual([created.event, event]);
      expect(await eventsOf(ctx.store, w, stranger)).toEqual([]);
      expect(await ctx.store.logHead(w)).toBe(event.eventId);
    });

    it('two groups of the same members are two dialogs', async () => {
      const w = await newWidget(ctx.store);
      const members = users(3);
      const g1 = await group(ctx.store, w, members, 'Same');
      const g2 = await group(ctx.store, w, members, 'Same');
      expect(g1.dialogId).not.toBe(g2.dialogId);
    });
  });

  describe('membership lookups', () => {
    const ctx = useStore(open);

    it('getMembership answers the dialog’s last seq and the member’s read position', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      await send(ctx.store, w, d, a);
      await send(ctx.store, w, d, a);
      const standing = { type: 'direct', membership: 'member', lastSeq: 2, visibleAfter: 0 };
      expect(await ctx.store.getMembership(w, d, a)).toEqual({ ...standing, lastReadSeq: 2 });
      expect(await ctx.store.getMembership(w, d, b)).toEqual({ ...standing, lastReadSeq: 0 });
    });

    it('getMembership and getDialogForMember answer null for strangers, unknown dialogs and other widgets', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b, stranger] = users(3);
      const d = await direct(ctx.store, w, a, b);
      const g = (await group(ctx.store, w, [a, b])).dialogId;
      const unknown = Math.max(d, g) + 1_000_000;
      for (const [widgetId, dialogId, userId] of [
        [w, d, stranger],
        [w, g, stranger],
        [w, unknown, a],
        [other, d, a],
        [other, g, b],
      ] as const) {
        expect(await ctx.store.getMembership(widgetId, dialogId, userId)).toBeNull();
        expect(await ctx.store.getDialogForMember(widgetId, dialogId, userId)).toBeNull();
      }
    });

    it('getMemberIds lists the members; nothing for another widget or an unknown dialog', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      expect(sorted(await ctx.store.getMemberIds(w, d))).toEqual(sorted([a, b]));
      expect(await ctx.store.getMemberIds(other, d)).toEqual([]);
      expect(await ctx.store.getMemberIds(w, d + 1_000_000)).toEqual([]);
    });

    it('contactsOf lists everyone who shares a direct dialog with the user (not a group), in that widget only', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b, c, d, e, f] = users(6);
      await send(ctx.store, w, await direct(ctx.store, w, a, b), a);
      await group(ctx.store, w, [c, a, d]);
      await send(ctx.store, w, await direct(ctx.store, w, e, f), e);
      await send(ctx.store, other, await direct(ctx.store, other, a, f), f);
      // Whether the user counts as their own contact is not promised; everyone else is.
      const contacts = async (widgetId: number, user: string) =>
        sorted((await ctx.store.contactsOf(widgetId, user)).filter((x) => x !== user));
      expect(await contacts(w, a)).toEqual([b]);
      expect(await contacts(w, c)).toEqual([]);
      expect(await contacts(w, b)).toEqual([a]);
      expect(await contacts(other, a)).toEqual([f]);
      expect(await contacts(other, b)).toEqual([]);
    });
  });
}
