// Uploads: their rows, attaching them in a send (the sender's own, once, in order), and the
// lifecycle queries (never-sent ones, a message's or a user's, usage), scoped by widget.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewUpload, Store } from '../types.ts';
import { type OpenStore, direct, expectKind, input, newWidget, send, tick, useStore, users, withOwnStore } from './harness.ts';

const newId = () => randomBytes(16).toString('base64url');

export async function upload(store: Store, widgetId: number, uploaderId: string, extra: Partial<NewUpload> = {}): Promise<NewUpload> {
  const u: NewUpload = {
    widgetId,
    id: newId(),
    uploaderId,
    name: 'отчёт.pdf',
    mime: 'application/pdf',
    kind: 'file',
    size: 1234,
    width: null,
    height: null,
    thumb: false,
    thumbSize: null,
    createdAt: tick(),
    ...extra,
  };
  await store.createUpload(u);
  return u;
}

export function uploadContract(open: OpenStore) {
  describe('uploads', () => {
    const ctx = useStore(open);

    it('keeps an upload as it was made, in its widget only', async () => {
      const w = await newWidget(ctx.store);
      const other = await newWidget(ctx.store);
      const [a] = users(1);
      const u = await upload(ctx.store, w, a, { kind: 'image', mime: 'image/png', name: 'p.png', width: 640, height: 480, thumb: true, thumbSize: 99 });
      expect(await ctx.store.getUpload(w, u.id)).toEqual({ ...u, messageId: null, dialogId: null, removedAt: null });
      expect(await ctx.store.getUpload(other, u.id)).toBeNull();
      expect(await ctx.store.getUpload(w, newId())).toBeNull();
    });

    it('a send attaches the sender’s uploads in the order named, and the message carries them everywhere', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const one = await upload(ctx.store, w, a, { kind: 'image', mime: 'image/jpeg', name: 'a.jpg', width: 3, height: 4, thumb: true, thumbSize: 10 });
      const two = await upload(ctx.store, w, a);
      const sent = await send(ctx.store, w, d, a, { text: '', attachmentIds: [two.id, one.id] });
      const expected = [
        { id: two.id, kind: 'file', name: two.name, size: two.size, mime: two.mime, width: null, height: null, thumb: false },
        { id: one.id, kind: 'image', name: 'a.jpg', size: one.size, mime: 'image/jpeg', width: 3, height: 4, thumb: true },
      ];
      expect(sent.message.attachments).toEqual(expected);
      expect((await ctx.store.listMessages(w, d, { limit: 10 })).at(-1)?.attachments).toEqual(expected);
      const logged = (await ctx.store.readEvents(w, b, 0, 100)).events.find((e) => e.messageId === sent.message.id);
      expect(logged?.message?.attachments).toEqual(expected);
      expect((await ctx.store.getDialogForMember(w, d, b))?.lastMessage?.attachments).toEqual(expected);
      expect(await ctx.store.getUpload(w, one.id)).toMatchObject({ messageId: sent.message.id, dialogId: d });
      // A message without files carries none.
      expect((await send(ctx.store, w, d, b)).message.attachments).toEqual([]);
    });

    it('refuses another user’s upload, an unknown or removed one as not found, and a used one as used', async () => {
      const w = await newWidget(ctx.store);
      const other = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const theirs = await upload(ctx.store, w, b);
      const elsewhere = await upload(ctx.store, other, a);
      const removed = await upload(ctx.store, w, a);
      await ctx.store.markUploadsRemoved(w, [removed.id], tick());
      const mine = await upload(ctx.store, w, a);
      for (const id of [theirs.id, elsewhere.id, removed.id, newId()]) {
        const [r] = await ctx.store.commitSends([input(w, d, a, { attachmentIds: [mine.id, id] })]);
        expect(r).toEqual({ kind: 'upload_not_found', uploadId: id });
      }
      // Nothing was attached by the refused sends.
      expect(await ctx.store.getUpload(w, mine.id)).toMatchObject({ messageId: null });
      await send(ctx.store, w, d, a, { attachmentIds: [mine.id] });
      const [again] = await ctx.store.commitSends([input(w, d, a, { attachmentIds: [mine.id] })]);
      expect(again).toEqual({ kind: 'upload_already_used', uploadId: mine.id });
    });

    it('a replayed send with its uploads answers the first message, not "already used"', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const u = await upload(ctx.store, w, a);
      const first = await send(ctx.store, w, d, a, { clientMsgId: 'c-1', attachmentIds: [u.id] });
      const [replay] = await ctx.store.commitSends([input(w, d, a, { clientMsgId: 'c-1', attachmentIds: [u.id] })]);
      expect(expectKind(replay, 'duplicate').message).toEqual(first.message);
    });

    it('two sends in one batch cannot both take one upload', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const u = await upload(ctx.store, w, a);
      const results = await ctx.store.commitSends([input(w, d, a, { attachmentIds: [u.id] }), input(w, d, a, { attachmentIds: [u.id] })]);
      expect(results.map((r) => r.kind)).toEqual(['created', 'upload_already_used']);
    });

    it('lists a message’s and a user’s stored files, marks them removed, and counts usage without them', async () => {
      const w = await newWidget(ctx.store);
      const [a, b] = users(2);
      const d = await direct(ctx.store, w, a, b);
      const x = await upload(ctx.store, w, a, { size: 100, thumb: true, thumbSize: 10, kind: 'image', mime: 'image/png', width: 1, height: 1 });
      const y = await upload(ctx.store, w, a, { size: 200 });
      const z = await upload(ctx.store, w, b, { size: 400 });
      const sent = await send(ctx.store, w, d, a, { attachmentIds: [x.id] });
      expect(await ctx.store.storageUsage(w)).toEqual({ files: 3, bytes: 710 });
      expect((await ctx.store.uploadsOf(w, { messageId: sent.message.id })).map((u) => u.id)).toEqual([x.id]);
      expect((await ctx.store.uploadsOf(w, { uploaderId: a })).map((u) => u.id).sort()).toEqual([x.id, y.id].sort());
      await ctx.store.markUploadsRemoved(w, [x.id, y.id], tick());
      expect(await ctx.store.uploadsOf(w, { uploaderId: a })).toEqual([]);
      expect((await ctx.store.getUpload(w, x.id))?.removedAt).not.toBeNull();
      expect(await ctx.store.storageUsage(w)).toEqual({ files: 1, bytes: z.size });
      expect(await ctx.store.storageUsage(await newWidget(ctx.store))).toEqual({ files: 0, bytes: 0 });
    });

    it('finds never-sent uploads older than the cut, oldest first, across widgets, and deletes their rows', async () => {
      await withOwnStore(open, async ({ store }) => {
        const w1 = await newWidget(store);
        const w2 = await newWidget(store);
        const [a, b] = users(2);
        const d = await direct(store, w1, a, b);
        const old1 = await upload(store, w1, a);
        const old2 = await upload(store, w2, a);
        const sentOld = await upload(store, w1, a);
        await send(store, w1, d, a, { attachmentIds: [sentOld.id] });
        const removedOld = await upload(store, w1, a);
        await store.markUploadsRemoved(w1, [removedOld.id], tick());
        const cut = tick();
        const fresh = await upload(store, w1, a);
        expect((await store.orphanUploads(cut, 10)).map((u) => u.id)).toEqual([old1.id, old2.id]);
        expect((await store.orphanUploads(cut, 1)).map((u) => u.id)).toEqual([old1.id]);
        await store.deleteUploads(w2, [old1.id]); // another widget's id: nothing happens
        expect(await store.getUpload(w1, old1.id)).not.toBeNull();
        await store.deleteUploads(w1, [old1.id]);
        expect(await store.getUpload(w1, old1.id)).toBeNull();
        expect(await store.getUpload(w1, fresh.id)).not.toBeNull();
      });
    });
  });
}
