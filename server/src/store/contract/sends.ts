// Store contract, commitSends: per-dialog seq, one logged event per message whatever the group's
// size, the sender's own positions, and client_msg_id replays that store and log nothing.
import { describe, expect, it } from 'vitest';
import {
  type OpenStore,
  direct,
  eventsOf,
  expectIncreasing,
  expectKind,
  group,
  input,
  newWidget,
  send,
  sorted,
  uid,
  useStore,
  users,
} from './harness.ts';

export function sendContract(open: OpenStore) {
  describe('commitSends', () => {
    const ctx = useStore(open);

    it('numbers each dialog’s messages 1, 2, 3… in input order within one call', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const [ab, ac] = [await direct(ctx.store, w, a, b), await direct(ctx.store, w, a, c)];
      const inputs = Array.from({ length: 10 }, (_, i) => input(w, i % 2 ? ac : ab, a, { text: `m${i}` }));
      const results = (await ctx.store.commitSends(inputs)).map((r) => expectKind(r, 'created'));
      expect(results.map((r) => r.message.text)).toEqual(inputs.map((i) => i.text));
      expect(results.map((r) => [r.message.dialogId, r.message.seq])).toEqual(inputs.map((x, i) => [x.dialogId, Math.floor(i / 2) + 1]));
      expect((await send(ctx.store, w, ab, b)).message.seq).toBe(6);
    });

    it('logs one message event per message, its position increasing in input order', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const results = (await ctx.store.commitSends([input(w, d, a), input(w, d, b), input(w, d, a)])).map((r) => expectKind(r, 'created'));
      for (const r of results) {
        expect(r.event).toEqual({
          eventId: expect.any(Number),
          dialogId: d,
          kind: 'message',
          userId: r.message.senderId,
          seq: r.message.seq,
          messageId: r.message.id,
          onlyUserId: null,
          createdAt: expect.any(Number),
        });
        expect(sorted(r.memberIds)).toEqual(sorted([a, b]));
      }
      expectIncreasing(results.map((r) => r.event.eventId));
      expect(await ctx.store.logHead(w)).toBe(results[2]!.event.eventId);
    });

    it('a group of 50 logs exactly one event per message, read by every member at the same position', async () => {
      const w = await newWidget(ctx.store);
      const members = users(50);
      const { dialogId, event: created } = await group(ctx.store, w, members);
      const inputs = [input(w, dialogId, members[0]), input(w, dialogId, members[7]), input(w, dialogId, members[0])];
      const results = (await ctx.store.commitSends(inputs)).map((r) => expectKind(r, 'created'));
      expect(sorted(results[0]!.memberIds)).toEqual(sorted(members));
      const expected = results.map((r) => r.event);
      expect(await eventsOf(ctx.store, w, members[1], created.eventId)).toEqual(expected);
      expect(await eventsOf(ctx.store, w, members[49]!, created.eventId)).toEqual(expected);
      expect(await ctx.store.logHead(w)).toBe(expected[2]!.eventId);
    });

    it('a sender’s own message counts as read and delivered for them, not for the others', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      await send(ctx.store, w, d, a);
      await send(ctx.store, w, d, a);
      const members = (await ctx.store.getDialogForMember(w, d, b))!.members;
      expect(members.find((m) => m.userId === a)).toMatchObject({ lastReadSeq: 2, lastDeliveredSeq: 2 });
      expect(members.find((m) => m.userId === b)).toMatchObject({ lastReadSeq: 0, lastDeliveredSeq: 0 });
      expect(await ctx.store.undelivered(w, a)).toEqual([]);
    });

    it('a replayed client_msg_id answers the stored message and stores and logs nothing', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const clientMsgId = uid('cmid');
      const first = await send(ctx.store, w, d, a, { clientMsgId, text: 'first' });
      const head = await ctx.store.logHead(w);
      const [replay] = await ctx.store.commitSends([input(w, d, a, { clientMsgId, text: 'second' })]);
      expect(replay).toEqual({ kind: 'duplicate', message: first.message });
      expect(await ctx.store.logHead(w)).toBe(head);
      expect(await ctx.store.listMessages(w, d, { limit: 10 })).toEqual([first.message]);
    });

    it('a client_msg_id repeated within one batch is stored once', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const head = await ctx.store.logHead(w);
      const clientMsgId = uid('cmid');
      const [one, two] = await ctx.store.commitSends([input(w, d, a, { clientMsgId }), input(w, d, a, { clientMsgId })]);
      const stored = expectKind(one, 'created');
      expect(two).toEqual({ kind: 'duplicate', message: stored.message });
      expect(await eventsOf(ctx.store, w, b, head)).toEqual([stored.event]);
      expect(await ctx.store.listMessages(w, d, { limit: 10 })).toHaveLength(1);
    });

    it('client_msg_id is unique per sender: another sender, a null id, or another widget store a new message', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const clientMsgId = uid('cmid');
      await send(ctx.store, w, d, a, { clientMsgId });
      await send(ctx.store, w, d, b, { clientMsgId });
      await send(ctx.store, w, d, a, { clientMsgId: null, text: 'same' });
      await send(ctx.store, w, d, a, { clientMsgId: null, text: 'same' });
      await send(ctx.store, other, await direct(ctx.store, other, a, b), a, { clientMsgId });
      expect(await ctx.store.listMessages(w, d, { limit: 10 })).toHaveLength(4);
    });

    it('the same client_msg_id in another dialog is a conflict and stores nothing', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, c] = users(3);
      const [ab, ac] = [await direct(ctx.store, w, a, b), await direct(ctx.store, w, a, c)];
      const clientMsgId = uid('cmid');
      await send(ctx.store, w, ab, a, { clientMsgId });
      const head = await ctx.store.logHead(w);
      expect(await ctx.store.commitSends([input(w, ac, a, { clientMsgId })])).toEqual([{ kind: 'client_msg_id_conflict' }]);
      expect(await ctx.store.listMessages(w, ac, { limit: 10 })).toEqual([]);
      expect(await ctx.store.logHead(w)).toBe(head);
    });

    it('a non-member, an unknown dialog and another widget’s dialog are refused and nothing is stored', async () => {
      const [w, other] = [await newWidget(ctx.store), await newWidget(ctx.store)];
      const [a, b, stranger] = users(3);
      const d = await direct(ctx.store, w, a, b);
      const heads = [await ctx.store.logHead(w), await ctx.store.logHead(other)];
      const results = await ctx.store.commitSends([
        input(w, d, stranger, { clientMsgId: uid('cmid') }),
        input(w, d + 1_000_000, a),
        input(other, d, a),
      ]);
      expect(results).toEqual([{ kind: 'not_member' }, { kind: 'not_member' }, { kind: 'not_member' }]);
      expect(await ctx.store.listMessages(w, d, { limit: 10 })).toEqual([]);
      expect(await ctx.store.getMembership(w, d, a)).toMatchObject({ lastSeq: 0, lastReadSeq: 0 });
      expect([await ctx.store.logHead(w), await ctx.store.logHead(other)]).toEqual(heads);
    });

    it('a batch answers each input in order, its refusals taking no seq', async () => {
      const w = await newWidget(ctx.store);
      const [a, b, stranger] = users(3);
      const d = await direct(ctx.store, w, a, b);
      const results = await ctx.store.commitSends([input(w, d, a), input(w, d, stranger), input(w, d, b), input(w, d, stranger)]);
      expect(results.map((r) => r.kind)).toEqual(['created', 'not_member', 'created', 'not_member']);
      expect([expectKind(results[0], 'created').message.seq, expectKind(results[2], 'created').message.seq]).toEqual([1, 2]);
      expect(await ctx.store.commitSends([])).toEqual([]);
    });
  });
}
