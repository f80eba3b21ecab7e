// Live group changes over real sockets: every change reaches every current member (and the one who
// left or was removed) as a system message and a dialog.updated as each sees it; a stranger gets
// nothing; a departed member keeps what they saw, reads it over REST, and gets nothing after,
// live or on resume, until they are added again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../realtime/protocol.ts';
import { type Env, type WsClient, createEnv, roundTrip } from '../testing/harness.ts';
import { type GroupKit, expectError, groupKit } from './test-support.ts';

let env: Env;
let kit: GroupKit;
beforeAll(async () => {
  // Names in system messages come from the host: give it time on a busy machine (not what is tested here).
  env = await createEnv({ usersInfoTimeoutMs: 5_000 });
  kit = groupKit(env);
});
afterAll(() => env.close());

/** The stream frames a socket got after `ready` (pings aside). */
const stream = async (t: WsClient) => {
  await roundTrip(t);
  return t.frames.filter((f): f is Extract<ServerFrame, { event_id: number }> => 'event_id' in f);
};

describe('live changes', () => {
  it('an add reaches every current member and the newcomer: the system message, then the dialog as each sees it', async () => {
    const [owner, m1, m2, newcomer, stranger] = kit.people(5) as [string, string, string, string, string];
    const g = await kit.group(owner, [m1, m2]);
    await (await kit.as(m1)).post(`/dialogs/${g.id}/messages`, { text: 'before you came' });
    const tabs = { owner: await kit.tab(owner), m1: await kit.tab(m1), m2: await kit.tab(m2), newcomer: await kit.tab(newcomer), stranger: await kit.tab(stranger) };
    const added = await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [newcomer] });
    const announced = added.body.last_message;
    for (const [who, t] of Object.entries(tabs)) {
      if (who === 'stranger') continue;
      const message = await t.next('message.new');
      const updated = await t.next('dialog.updated');
      expect(message.message).toEqual(announced);
      expect(updated.event_id).toBeGreaterThan(message.event_id);
      expect(updated.dialog).toMatchObject({ id: g.id, member_count: 4, membership: 'member', last_message: announced });
    }
    // Each as they see it: m2 has one unread text message, the owner (who acted) and m1 none, the newcomer none.
    const unread = async (t: WsClient) => (await stream(t)).find((f) => f.type === 'dialog.updated')!;
    expect(await unread(tabs.m2)).toMatchObject({ dialog: { unread_count: 1, last_read_seq: 0 } });
    expect(await unread(tabs.owner)).toMatchObject({ dialog: { unread_count: 0, last_read_seq: announced.seq } });
    expect(await unread(tabs.newcomer)).toMatchObject({ dialog: { unread_count: 0, last_read_seq: 0 } });
    expect(added.body).toMatchObject({ unread_count: 0, last_read_seq: announced.seq });
    expect(await stream(tabs.stranger)).toEqual([]);
  });

  it('a removal reaches the removed member too, as their last frames; after it nothing more does', async () => {
    const [owner, m1, gone] = kit.people(3) as [string, string, string];
    const g = await kit.group(owner, [m1, gone]);
    const [tOwner, tM1, tGone] = [await kit.tab(owner), await kit.tab(m1), await kit.tab(gone)];
    const removed = await (await kit.as(owner)).delete(`/dialogs/${g.id}/members/${gone}`);
    const removal = removed.body.last_message;
    expect(removal).toMatchObject({ kind: 'system', sender_id: null, text: `Name ${owner} removed Name ${gone}`, system: { action: 'removed', actor_id: owner, user_ids: [gone] } });
    expect((await tGone.next('message.new')).message).toEqual(removal);
    const goneView = (await tGone.next('dialog.updated')).dialog;
    expect(goneView).toMatchObject({ id: g.id, membership: 'removed', last_message: removal, member_count: 2 });
    expect(goneView.members.map((m) => m.user_id)).not.toContain(gone);
    for (const t of [tOwner, tM1]) {
      expect((await t.next('message.new')).message).toEqual(removal);
      expect((await t.next('dialog.updated')).dialog).toMatchObject({ membership: 'member', member_count: 2 });
    }
    const seen = (await stream(tGone)).length;
    // What the group does next reaches the members only.
    await (await kit.as(m1)).post(`/dialogs/${g.id}/messages`, { text: 'they are gone' });
    await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { title: 'Two of us' });
    await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: kit.people(1) });
    tM1.send({ type: 'typing.start', dialog_id: g.id });
    expect((await tOwner.next('typing.start')).user_id).toBe(m1);
    await tOwner.next('dialog.updated');
    await tOwner.next('dialog.updated');
    expect((await stream(tGone)).length).toBe(seen);
    expect(tGone.frames.filter((f) => f.type === 'typing.start')).toEqual([]);
    // And they can send, read, type, mute or look at who read nothing there.
    const api = await kit.as(gone);
    expectError(await api.post(`/dialogs/${g.id}/messages`, { text: 'let me back' }), 404, 'dialog_not_found');
    expectError(await api.post(`/dialogs/${g.id}/read`, { message_id: removal.id }), 404, 'dialog_not_found');
    expectError(await api.get(`/dialogs/${g.id}/messages/${removal.id}/read-by`), 404, 'dialog_not_found');
    expectError(await api.put(`/dialogs/${g.id}/mute`, { muted: true }), 404, 'dialog_not_found');
    expectError(await api.post(`/dialogs/${g.id}/leave`, {}), 404, 'dialog_not_found');
    tGone.send({ type: 'typing.start', dialog_id: g.id });
    expect(await tGone.next('error')).toMatchObject({ code: 'dialog_not_found' });
  });

  it('a departed member keeps the dialog as it stood at their departure: its messages up to it, its unread count frozen', async () => {
    const [owner, m1, gone] = kit.people(3) as [string, string, string];
    const g = await kit.group(owner, [m1, gone]);
    const unseen = await (await kit.as(m1)).post(`/dialogs/${g.id}/messages`, { text: 'unread by them' });
    const left = (await (await kit.as(gone)).post(`/dialogs/${g.id}/leave`, {})).body;
    await (await kit.as(m1)).post(`/dialogs/${g.id}/messages`, { text: 'after they left' });
    await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { title: 'Renamed after' });
    const api = await kit.as(gone);
    const view = (await api.get(`/dialogs/${g.id}`)).body;
    const { title: _t, members_state: _s, ...frozen } = left;
    expect(view).toMatchObject({ ...frozen, title: 'Renamed after' });
    expect(view).toMatchObject({ membership: 'left', unread_count: 1, last_message: { seq: 3, system: { action: 'left', actor_id: gone } } });
    // The members' read positions show only as far as the departure, and their presence not at all.
    expect(view.members_state.map((m: any) => [m.user_id, m.last_read_seq, m.online, m.last_seen_at])).toEqual([
      [owner, 3, false, null],
      [m1, 3, false, null],
    ]);
    const list = (await api.get('/dialogs')).body.items;
    expect(list.map((d: any) => [d.id, d.membership, d.unread_count])).toEqual([[g.id, 'left', 1]]);
    const page = (await api.get(`/dialogs/${g.id}/messages`)).body;
    expect(page.items.map((m: any) => m.seq)).toEqual([1, 2, 3]);
    expect(page.items[1]).toMatchObject({ id: unseen.body.id, text: 'unread by them' });
    expect(page.next_cursor).toBeNull();
    expect((await api.get(`/dialogs/${g.id}/messages?after=2`)).body).toEqual({ items: [page.items[2]], next_cursor: null });
    expect((await api.get(`/dialogs/${g.id}/messages?after=3`)).body).toEqual({ items: [], next_cursor: null });
    expect((await api.get(`/dialogs/${g.id}/messages?before=10`)).body.items.map((m: any) => m.seq)).toEqual([1, 2, 3]);
  });

  it('a departed member resuming from before their departure gets up to it, and nothing after', async () => {
    const [owner, gone] = kit.people(2) as [string, string];
    const g = await kit.group(owner, [gone]);
    const first = await kit.tab(gone);
    const ready = first.frames.find((f) => f.type === 'ready');
    const from = ready?.type === 'ready' ? ready.last_event_id : -1;
    first.close();
    await (await kit.as(owner)).post(`/dialogs/${g.id}/messages`, { text: 'seen' });
    const removed = (await (await kit.as(owner)).delete(`/dialogs/${g.id}/members/${gone}`)).body;
    await (await kit.as(owner)).post(`/dialogs/${g.id}/messages`, { text: 'never seen' });
    await (await kit.as(owner)).patch(`/dialogs/${g.id}`, { title: 'Never seen either' });
    const again = await kit.tab(gone, from);
    const replay = await kit.streamUntilNow(again, gone);
    expect(replay.map((f) => f.type)).toEqual(['message.new', 'message.new', 'dialog.updated']);
    expect(replay[1]!.type === 'message.new' && replay[1]!.message).toEqual(removed.last_message);
    expect(replay[2]!.type === 'dialog.updated' && replay[2]!.dialog).toMatchObject({ membership: 'removed', title: 'Never seen either' });
  });

  it('added again later, membership is back to member and the group reaches them again', async () => {
    const [owner, back] = kit.people(2) as [string, string];
    const g = await kit.group(owner, [back]);
    await (await kit.as(back)).post(`/dialogs/${g.id}/leave`, {});
    const t = await kit.tab(back);
    const readded = await (await kit.as(owner)).post(`/dialogs/${g.id}/members`, { user_ids: [back] });
    expect((await t.next('message.new')).message).toEqual(readded.body.last_message);
    expect((await t.next('dialog.updated')).dialog).toMatchObject({ membership: 'member', member_count: 2 });
    expect((await (await kit.as(back)).get(`/dialogs/${g.id}`)).body.membership).toBe('member');
    const hello = await (await kit.as(back)).post(`/dialogs/${g.id}/messages`, { text: 'back again' });
    expect(hello.status).toBe(201);
  });
});
