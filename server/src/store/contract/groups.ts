// Store contract, running a group: a planned change applies whole and only on the version it was
// planned on; members added later see from their joining; departed members keep what they saw and
// get nothing after; system messages are nobody's unread. (Mute and read-by: readers.ts.)
import { describe, expect, it } from 'vitest';
import type { GroupPlan, Store, SystemEvent } from '../types.ts';
import { type OpenStore, direct, eventsOf, expectKind, group, newWidget, send, sorted, tick, useStore, users } from './harness.ts';

export const sys = (action: SystemEvent['action'], actorId: string | null, userIds: string[] = [], title: string | null = null) => ({
  text: `${action} ${userIds.join(',')}`.trim(),
  system: { action, actor_id: actorId, user_ids: userIds, title },
});

/** Applies a plan made on the actor's current view, failing the test on a conflict. */
export async function change(store: Store, w: number, d: number, actorId: string, plan: Omit<GroupPlan, 'actorId'>, now = tick()) {
  const view = await store.getDialogForMember(w, d, actorId);
  return expectKind(await store.applyGroupChange(w, d, view!.version, { actorId, ...plan }, now), 'applied');
}

export function groupContract(open: OpenStore) {
  describe('applyGroupChange: adding', () => {
    const ctx = useStore(open);

    it('adds members at the dialog’s last seq, with its system message first among what they see', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c, d] = users(4);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      const before = await send(ctx.store, w, g, b);
      const at = tick();
      const r = await change(ctx.store, w, g, a, { add: [c, d], messages: [sys('added', a, [c, d])] }, at);
      expect(r.messages).toHaveLength(1);
      const added = r.messages[0]!;
      expect(added.message).toMatchObject({ dialogId: g, seq: before.message.seq + 1, senderId: null, kind: 'system', system: { action: 'added', user_ids: [c, d] } });
      expect(added.event).toMatchObject({ kind: 'message', seq: added.message.seq, messageId: added.message.id, onlyUserId: null });
      expect(r.event).toMatchObject({ kind: 'dialog', dialogId: g, onlyUserId: null });
      expect(r.event.eventId).toBeGreaterThan(added.event.eventId);
      expect(sorted(r.memberIds)).toEqual(sorted([a, b, c, d]));
      expect(r.departed).toEqual([]);
      const view = (await ctx.store.getDialogForMember(w, g, c))!;
      expect(view).toMatchObject({ memberCount: 4, joinedSeq: before.message.seq, unreadCount: 0, membership: 'member', lastMessage: added.message });
      expect(view.members.find((m) => m.userId === c)).toMatchObject({ role: 'member', joinedAt: at, lastReadSeq: 0 });
      // The newcomer's events start with their joining: nothing of what came before.
      expect(await eventsOf(ctx.store, w, c)).toEqual([added.event, r.event]);
      expect((await eventsOf(ctx.store, w, b, before.event.eventId)).map((e) => e.eventId)).toEqual([added.event.eventId, r.event.eventId]);
      expect(await ctx.store.getMembership(w, g, c)).toEqual({ type: 'group', membership: 'member', lastSeq: added.message.seq, lastReadSeq: 0, visibleAfter: before.message.seq });
    });

    it('the actor’s read position moves to what they did; nobody else’s, and nobody’s unread count grows', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      await send(ctx.store, w, g, b);
      await send(ctx.store, w, g, b);
      const unread = async (u: string) => (await ctx.store.getDialogForMember(w, g, u))!.unreadCount;
      expect(await unread(a)).toBe(2);
      const r = await change(ctx.store, w, g, a, { add: [c], messages: [sys('added', a, [c])] });
      const view = (await ctx.store.getDialogForMember(w, g, b))!;
      const seq = r.messages[0]!.message.seq;
      expect(view.members.find((m) => m.userId === a)).toMatchObject({ lastReadSeq: seq, lastDeliveredSeq: seq, unreadCount: 0 });
      expect(view).toMatchObject({ lastReadSeq: 3, unreadCount: 0 });
      expect(await unread(c)).toBe(0);
      await send(ctx.store, w, g, b);
      expect([await unread(a), await unread(b), await unread(c)]).toEqual([1, 0, 1]);
    });

    it('a from_join member pages and reads only after their joining; "all" shows them everything', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      const old = await send(ctx.store, w, g, b);
      const r = await change(ctx.store, w, g, a, { add: [c], messages: [sys('added', a, [c])] });
      const standing = (await ctx.store.getMembership(w, g, c))!;
      const seqs = async (visibleAfter: number) => (await ctx.store.listMessages(w, g, { limit: 10, visibleAfter })).map((m) => m.seq);
      expect(await seqs(standing.visibleAfter)).toEqual([r.messages[0]!.message.seq]);
      const [tooOld] = await ctx.store.commitReads([{ widgetId: w, dialogId: g, userId: c, messageId: old.message.id, now: tick() }]);
      expect(tooOld).toEqual({ kind: 'message_not_found' });
      await change(ctx.store, w, g, a, { set: { history: 'all' }, messages: [] });
      expect((await ctx.store.getMembership(w, g, c))!.visibleAfter).toBe(0);
      expect(await seqs(0)).toEqual([1, 2, 3]);
      const [read] = await ctx.store.commitReads([{ widgetId: w, dialogId: g, userId: c, messageId: old.message.id, now: tick() }]);
      expect(expectKind(read, 'ok').seq).toBe(old.message.seq);
    });

    it('a user who left comes back as a new member: from the new joining, departure cleared', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      await change(ctx.store, w, g, b, { depart: [{ userId: b, how: 'left' }], messages: [sys('left', b)] });
      await send(ctx.store, w, g, a);
      const back = await change(ctx.store, w, g, a, { add: [b], messages: [sys('added', a, [b])] });
      const view = (await ctx.store.getDialogForMember(w, g, b))!;
      expect(view).toMatchObject({ membership: 'member', joinedSeq: back.messages[0]!.message.seq - 1, memberCount: 2, lastMessage: back.messages[0]!.message });
      expect(sorted(await ctx.store.getMemberIds(w, g))).toEqual(sorted([a, b]));
      expectKind((await ctx.store.commitSends([{ widgetId: w, dialogId: g, senderId: b, text: 'back', clientMsgId: null, now: tick() }]))[0], 'created');
    });
  });

  describe('applyGroupChange: departing', () => {
    const ctx = useStore(open);

    it('a removed member keeps the dialog as it stood at their removal, which is their last message and event', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { dialogId: g } = await group(ctx.store, w, [a, b, c]);
      await send(ctx.store, w, g, a);
      const unreadBefore = (await ctx.store.getDialogForMember(w, g, b))!.unreadCount;
      const at = tick();
      const r = await change(ctx.store, w, g, a, { depart: [{ userId: b, how: 'removed' }], messages: [sys('removed', a, [b])] }, at);
      const removal = r.messages[0]!;
      expect(r.departed).toEqual([b]);
      expect(r.departingSee).toBe(1);
      expect(sorted(r.memberIds)).toEqual(sorted([a, c]));
      const later = await send(ctx.store, w, g, c);
      const view = (await ctx.store.getDialogForMember(w, g, b))!;
      expect(view).toMatchObject({ membership: 'removed', lastSeq: removal.message.seq, lastMessage: removal.message, unreadCount: unreadBefore, updatedAt: at, activityAt: at, memberCount: 2 });
      expect(view.members.map((m) => m.userId).sort()).toEqual(sorted([a, c]));
      expect(await ctx.store.getMembership(w, g, b)).toMatchObject({ membership: 'removed', lastSeq: removal.message.seq });
      expect((await ctx.store.listDialogsForMember(w, b, null, 10)).map((v) => [v.id, v.membership])).toEqual([[g, 'removed']]);
      // Their events end with the removal's dialog event.
      const events = await eventsOf(ctx.store, w, b);
      expect(events.slice(-2)).toEqual([removal.event, r.event]);
      expect(events.map((e) => e.eventId)).not.toContain(later.event.eventId);
      expect(await ctx.store.readEvents(w, b, r.event.eventId, 10)).toMatchObject({ events: [], complete: true });
      // Nothing new from them, to them, or about them.
      expect(await ctx.store.getMemberIds(w, g)).not.toContain(b);
      expect(later.memberIds).not.toContain(b);
      expect(await ctx.store.commitSends([{ widgetId: w, dialogId: g, senderId: b, text: 'hey', clientMsgId: null, now: tick() }])).toEqual([{ kind: 'not_member' }]);
      expect(await ctx.store.commitReads([{ widgetId: w, dialogId: g, userId: b, messageId: removal.message.id, now: tick() }])).toEqual([{ kind: 'not_member' }]);
      expect(await ctx.store.commitDeliveries([{ widgetId: w, dialogId: g, userId: b, seq: later.message.seq, now: tick() }])).toEqual([null]);
      expect(await ctx.store.undelivered(w, b)).toEqual([]);
      expect(await ctx.store.setMuted(w, g, b, true, tick())).toBeNull();
    });

    it('follow-ups reach the current members only; the departing see the messages before their departure', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { dialogId: g } = await group(ctx.store, w, [a, b, c]);
      const r = await change(ctx.store, w, g, a, {
        depart: [{ userId: a, how: 'left' }],
        roles: [{ userId: b, role: 'owner' }],
        messages: [sys('left', a)],
        followUps: [sys('owner', null, [b])],
      });
      const [left, owner] = r.messages;
      expect(r.departingSee).toBe(1);
      expect(owner!.event.eventId).toBeGreaterThan(r.event.eventId);
      expect((await eventsOf(ctx.store, w, a)).slice(-2)).toEqual([left!.event, r.event]);
      expect((await eventsOf(ctx.store, w, c)).slice(-3)).toEqual([left!.event, r.event, owner!.event]);
      expect((await ctx.store.getDialogForMember(w, g, a))!).toMatchObject({ membership: 'left', lastSeq: left!.message.seq });
      const state = (await ctx.store.getDialogForMember(w, g, c))!.members;
      expect(state.map((m) => [m.userId, m.role]).sort()).toEqual(sorted([[b, 'owner'], [c, 'member']]));
      // A leaver's read position does not move with their leaving.
      expect(await ctx.store.getMembership(w, g, a)).toMatchObject({ lastReadSeq: 1 });
    });

    it('the last member leaving leaves an empty group that stays', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      await change(ctx.store, w, g, b, { depart: [{ userId: b, how: 'left' }], messages: [sys('left', b)] });
      const r = await change(ctx.store, w, g, a, { depart: [{ userId: a, how: 'left' }], messages: [sys('left', a)] });
      expect(r.memberIds).toEqual([]);
      expect(await ctx.store.getMemberIds(w, g)).toEqual([]);
      expect((await ctx.store.getDialogForMember(w, g, a))!).toMatchObject({ membership: 'left', memberCount: 0, members: [] });
    });
  });

  describe('applyGroupChange: roles, settings, versions', () => {
    const ctx = useStore(open);

    it('applies roles and settings together, bumping the version', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const { dialogId: g } = await group(ctx.store, w, [a, b], 'Old');
      const before = (await ctx.store.getDialogForMember(w, g, a))!;
      const r = await change(ctx.store, w, g, a, {
        roles: [{ userId: b, role: 'admin' }],
        set: { title: 'New', avatarUrl: 'https://img.example/g.png', history: 'all' },
        messages: [sys('promoted', a, [b]), sys('renamed', a, [], 'New'), sys('avatar', a)],
      });
      expect(r.messages.map((m) => m.message.seq)).toEqual([2, 3, 4]);
      const after = (await ctx.store.getDialogForMember(w, g, b))!;
      expect(after).toMatchObject({ title: 'New', avatarUrl: 'https://img.example/g.png', history: 'all', lastSeq: 4, version: before.version + 1 });
      expect(after.members.find((m) => m.userId === b)?.role).toBe('admin');
      const cleared = await change(ctx.store, w, g, a, { set: { avatarUrl: null }, messages: [sys('avatar', a)] });
      expect(cleared.messages).toHaveLength(1);
      expect((await ctx.store.getDialogForMember(w, g, b))!).toMatchObject({ avatarUrl: null, title: 'New' });
    });

    it('a change without messages logs only its dialog event', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      const head = await ctx.store.logHead(w);
      const r = await change(ctx.store, w, g, a, { set: { history: 'all' }, messages: [] });
      expect(r.messages).toEqual([]);
      expect(await ctx.store.logHead(w)).toBe(r.event.eventId);
      expect((await eventsOf(ctx.store, w, b, head)).map((e) => e.kind)).toEqual(['dialog']);
      expect((await ctx.store.getDialogForMember(w, g, b))!.lastSeq).toBe(1);
    });

    it('a plan made on an older version changes nothing and answers conflict, as does a direct dialog', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const { dialogId: g } = await group(ctx.store, w, [a, b]);
      const d = await direct(ctx.store, w, a, b);
      const stale = (await ctx.store.getDialogForMember(w, g, a))!.version;
      await change(ctx.store, w, g, a, { roles: [{ userId: b, role: 'admin' }], messages: [sys('promoted', a, [b])] });
      const head = await ctx.store.logHead(w);
      const snapshot = await ctx.store.getDialogForMember(w, g, a);
      const plan: GroupPlan = { actorId: a, add: [c], messages: [sys('added', a, [c])] };
      expect(await ctx.store.applyGroupChange(w, g, stale, plan, tick())).toEqual({ kind: 'conflict' });
      expect(await ctx.store.applyGroupChange(w, d, 0, plan, tick())).toEqual({ kind: 'conflict' });
      expect(await ctx.store.logHead(w)).toBe(head);
      expect(await ctx.store.getDialogForMember(w, g, a)).toEqual(snapshot);
      expect(await ctx.store.getDialogForMember(w, g, c)).toBeNull();
    });
  });
}
