import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/clock.ts';
import { type Env, type WsClient, createEnv, roundTrip, within } from '../testing/harness.ts';
import type { ServerFrame } from './protocol.ts';

// Live behaviour over real sockets. The server reads the time from `clock` (last_seen_at, event
// retention), and typing expiry and the presence grace period are timers on it: a test moves the
// clock to the millisecond an entry ends, and to the one before. Nothing here sleeps: a test awaits
// the frame it expects, and proves that a frame did NOT come by a ping round trip after moving the
// clock. That proof holds because what a timer sets off (SQLite reads, the in-process bus) ends
// in the microtasks right after the move, before the ping is even read: its frame goes out first.
let env: Env;
const clock = new ManualClock();
// Far longer than any guard here (5 s), so a timer left on real time could not pass for one on the clock.
const GRACE_MS = 30_000;
const TYPING_MS = 20_000;
beforeAll(async () => {
  env = await createEnv({ presenceGraceMs: GRACE_MS, typingExpiryMs: TYPING_MS, clock });
  for (let i = 10; i < 100; i++) env.widgets[0]!.host.users.set(`u${i}`, { user_id: `u${i}`, name: `U${i}` });
});
afterAll(() => env.close());

const w = () => env.widgets[0]!;
let nextUser = 10;
/** Two fresh users of the widget with a dialog between them. */
async function pair() {
  const a = `u${nextUser++}`;
  const b = `u${nextUser++}`;
  const apiA = env.api(w(), await w().token(a));
  const apiB = env.api(w(), await w().token(b));
  const { body: dialog } = await apiA.post('/dialogs', { user_id: b });
  return { a, b, apiA, apiB, dialog };
}
/** A fresh user with a direct dialog with `userId`: each sees the other's presence and typing. */
async function contactOf(userId: string) {
  const id = `u${nextUser++}`;
  const { body: dialog } = await env.api(w(), await w().token(id)).post('/dialogs', { user_id: userId });
  return { id, dialog };
}
const tab = async (userId: string, resumeFrom?: number) => {
  const c = await env.ws(w(), null);
  c.send({ type: 'auth', token: await w().token(userId), ...(resumeFrom !== undefined && { resume_from: resumeFrom }) });
  await c.next('ready');
  return c;
};
/** The next frame of that type, failing with `what` rather than hanging if the server never sends it. */
const awaitFrame = <T extends ServerFrame['type']>(c: WsClient, type: T, what: string) => within(c.next(type), what);
const others = (c: WsClient, ...types: string[]) => c.frames.filter((f) => types.includes(f.type));
const who = (frames: unknown[]) => frames.map((f) => (f as { user_id: string }).user_id);
const presenceOf = (c: WsClient) => others(c, 'presence').map((p) => [(p as { user_id: string }).user_id, (p as { online: boolean }).online]);
/**
 * Resolves once the server has handled the closes so far and holds `count` sockets of the user (a
 * grace period starts when that reaches 0). The server announces nothing at that moment, so this polls.
 */
const serverHolds = (userId: string, count: number) => expect.poll(() => env.server.hub.connectionCount(w().row.id, userId)).toBe(count);

describe('receipts', () => {
  it('moves a message to delivered when it reaches the recipient, and to read when they read it', async () => {
    const { a, b, apiA, apiB, dialog } = await pair();
    const aTab = await tab(a);
    const bTab = await tab(b);
    const { body: m } = await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'hi' });
    expect(await aTab.next('message.delivered')).toMatchObject({ dialog_id: dialog.id, user_id: b, seq: m.seq });
    await bTab.next('message.new');
    const state = (await apiA.get(`/dialogs/${dialog.id}`)).body.members_state.find((s: any) => s.user_id === b);
    expect(state).toMatchObject({ last_delivered_seq: 1, last_read_seq: 0 });
    await apiB.post(`/dialogs/${dialog.id}/read`, { message_id: m.id });
    expect(await aTab.next('message.read')).toMatchObject({ user_id: b, seq: 1 });
  });

  it('delivers to an offline recipient when they come online, not before', async () => {
    const { a, b, apiA, dialog } = await pair();
    const aTab = await tab(a);
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'one' });
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'two' });
    await env.server.messages.idle();
    await roundTrip(aTab);
    expect(others(aTab, 'message.delivered')).toEqual([]);
    await tab(b);
    expect(await aTab.next('message.delivered')).toMatchObject({ user_id: b, seq: 2 });
  });
});

describe('typing', () => {
  it('shows typing to the other member only, and ends it by stop, or by expiry when not refreshed', async () => {
    const { a, b, apiA, dialog } = await pair();
    const aTab1 = await tab(a);
    const aTab2 = await tab(a);
    const bTab = await tab(b);
    aTab1.send({ type: 'typing.start', dialog_id: dialog.id });
    expect(await bTab.next('typing.start')).toEqual({ type: 'typing.start', dialog_id: dialog.id, user_id: a });
    aTab1.send({ type: 'typing.stop', dialog_id: dialog.id });
    expect(await bTab.next('typing.stop')).toEqual({ type: 'typing.stop', dialog_id: dialog.id, user_id: a });

    // A message from the typist ends it at the receiver by itself (the widget also sends
    // typing.stop when it sends); the server's entry, never refreshed, expires after that.
    aTab1.send({ type: 'typing.start', dialog_id: dialog.id });
    await bTab.next('typing.start'); // the entry is set by now, and its expiry started
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'done typing' });
    expect(await bTab.next('message.new')).toMatchObject({ message: { sender_id: a, text: 'done typing' } });
    clock.advance(TYPING_MS - 1);
    await roundTrip(bTab);
    expect(others(bTab, 'typing.stop')).toHaveLength(1); // only the explicit stop so far
    clock.advance(1);
    expect(await awaitFrame(bTab, 'typing.stop', 'typing.stop when the entry expired')).toEqual({ type: 'typing.stop', dialog_id: dialog.id, user_id: a });

    // Every typing frame went out before that last stop did; a round trip orders the typist's tabs after it.
    await roundTrip(aTab1);
    await roundTrip(aTab2);
    expect(others(aTab1, 'typing.start', 'typing.stop')).toEqual([]);
    expect(others(aTab2, 'typing.start', 'typing.stop')).toEqual([]);
  });

  it('a typing.stop sent right after typing.start reaches the partner after it (frames are handled in order)', async () => {
    const { a, b, dialog } = await pair();
    const aTab = await tab(a);
    const bTab = await tab(b);
    for (let i = 0; i < 5; i++) {
      aTab.send({ type: 'typing.start', dialog_id: dialog.id });
      aTab.send({ type: 'typing.stop', dialog_id: dialog.id });
    }
    await expect.poll(() => others(bTab, 'typing.start', 'typing.stop').length).toBe(10);
    expect(others(bTab, 'typing.start', 'typing.stop').map((f) => f.type)).toEqual(Array(5).fill(['typing.start', 'typing.stop']).flat());
  });

  it('forwards each refresh and moves the expiry with it, ends it once, and refuses strangers', async () => {
    const { a, b, dialog } = await pair();
    const c = await contactOf(b);
    const e = await contactOf(b);
    const aTab = await tab(a);
    const cTab = await tab(c.id);
    const eTab = await tab(e.id);
    const bTab = await tab(b);
    /** Resolves once b has the typing.start, so the server has (re)started that entry's expiry. */
    const types = async (t: WsClient, dialogId: number, userId: string) => {
      t.send({ type: 'typing.start', dialog_id: dialogId });
      expect(await awaitFrame(bTab, 'typing.start', `typing.start of ${userId}, forwarded`)).toEqual({ type: 'typing.start', dialog_id: dialogId, user_id: userId });
    };
    const stops = () => others(bTab, 'typing.stop');
    await types(aTab, dialog.id, a);
    await types(cTab, c.dialog.id, c.id); // at the same moment as a's first start
    for (let i = 0; i < 3; i++) {
      clock.advance(TYPING_MS / 4);
      await types(aTab, dialog.id, a);
    }
    const stranger = await tab(`u${nextUser++}`);
    stranger.send({ type: 'typing.start', dialog_id: dialog.id });
    expect(await stranger.next('error')).toMatchObject({ code: 'dialog_not_found' });
    await types(eTab, e.dialog.id, e.id); // at the same moment as a's last refresh

    // c's entry ends a full expiry after it was set; a's, refreshed since, does not end with it.
    clock.advance(TYPING_MS / 4 - 1);
    await roundTrip(bTab);
    expect(stops()).toEqual([]);
    clock.advance(1);
    expect(await awaitFrame(bTab, 'typing.stop', "c's typing.stop")).toEqual({ type: 'typing.stop', dialog_id: c.dialog.id, user_id: c.id });
    await roundTrip(bTab);
    expect(stops()).toHaveLength(1);

    // a's ends a full expiry after its last refresh, with e's, set just after it.
    clock.advance((TYPING_MS * 3) / 4 - 1);
    await roundTrip(bTab);
    expect(stops()).toHaveLength(1);
    clock.advance(1);
    // Both end at the same instant; on Redis each expiry takes its own round trips, so either may come first.
    const ended = [await awaitFrame(bTab, 'typing.stop', "a's or e's typing.stop"), await awaitFrame(bTab, 'typing.stop', 'the other typing.stop')];
    expect(ended).toEqual(
      expect.arrayContaining([
        { type: 'typing.stop', dialog_id: dialog.id, user_id: a },
        { type: 'typing.stop', dialog_id: e.dialog.id, user_id: e.id },
      ]),
    );

    // Once each: no timer of an earlier start was left running.
    clock.advance(TYPING_MS * 2);
    await roundTrip(bTab);
    expect(who(others(bTab, 'typing.start'))).toEqual([a, c.id, a, a, a, e.id]);
    expect(stops()).toHaveLength(3);
  });
});

describe('presence', () => {
  it('announces online and offline only to people who share a dialog, with one change for many tabs', async () => {
    const { a, b, apiA, dialog } = await pair();
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'hello' });
    const m = await contactOf(a);
    const aTab = await tab(a);
    const mTab = await tab(m.id);
    expect(await aTab.next('presence')).toEqual({ type: 'presence', user_id: m.id, online: true, last_seen_at: null });
    const stranger = await tab(`u${nextUser++}`);
    const b1 = await tab(b);
    expect(await aTab.next('presence')).toEqual({ type: 'presence', user_id: b, online: true, last_seen_at: null });
    const b2 = await tab(b);
    expect((await apiA.get(`/dialogs/${dialog.id}`)).body.members_state.find((s: any) => s.user_id === b).online).toBe(true);
    b1.close();
    await serverHolds(b, 1); // b is still online in b2: no grace period, no frame
    mTab.close();
    await serverHolds(m.id, 0); // m's grace period has begun
    clock.advance(GRACE_MS - 1);
    await roundTrip(aTab);
    expect(presenceOf(aTab)).toEqual([
      [m.id, true],
      [b, true],
    ]);
    clock.advance(1);
    expect(await awaitFrame(aTab, 'presence', 'm offline after the grace period')).toMatchObject({ user_id: m.id, online: false });
    clock.advance(60_000);
    b2.close();
    await serverHolds(b, 0);
    // last_seen_at is when the user went offline: the end of the grace period, on the server's clock.
    const lastSeen = new Date(clock.now() + GRACE_MS).toISOString();
    clock.advance(GRACE_MS);
    expect(await awaitFrame(aTab, 'presence', 'b offline after the grace period')).toEqual({ type: 'presence', user_id: b, online: false, last_seen_at: lastSeen });
    await roundTrip(aTab);
    expect(presenceOf(aTab)).toEqual([
      [m.id, true],
      [b, true],
      [m.id, false],
      [b, false],
    ]);
    // b's frames went to their contacts before the last one reached a; the stranger got none of them.
    await roundTrip(stranger);
    expect(others(stranger, 'presence')).toEqual([]);
    const state = (await apiA.get(`/dialogs/${dialog.id}`)).body.members_state.find((s: any) => s.user_id === b);
    expect(state).toMatchObject({ online: false, last_seen_at: lastSeen });
  });

  it('does not flicker offline when a tab reloads within the grace period', async () => {
    const { a, b, apiA, dialog } = await pair();
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'hello' });
    const aTab = await tab(a);
    const b1 = await tab(b);
    expect(await aTab.next('presence')).toMatchObject({ user_id: b, online: true });
    b1.close();
    await serverHolds(b, 0); // b's grace period has begun
    clock.advance(GRACE_MS - 1);
    const b2 = await tab(b); // the reload, in the last millisecond of it
    clock.advance(GRACE_MS * 2);
    await roundTrip(aTab);
    expect(presenceOf(aTab)).toEqual([[b, true]]);
    // The reloaded tab counts as the only one: closing it takes the user offline, a full grace period later.
    b2.close();
    await serverHolds(b, 0);
    clock.advance(GRACE_MS - 1);
    await roundTrip(aTab);
    expect(presenceOf(aTab)).toEqual([[b, true]]);
    clock.advance(1);
    expect(await awaitFrame(aTab, 'presence', 'b offline after the grace period')).toMatchObject({ user_id: b, online: false });
  });
});

describe('lossless resume', () => {
  it('replays exactly the missed events, in order, after resume_from', async () => {
    const { a, b, apiA, dialog } = await pair();
    const first = await tab(b);
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'seen' });
    const seen = await first.next('message.new');
    first.close();
    await first.closed;
    for (let i = 0; i < 5; i++) await apiA.post(`/dialogs/${dialog.id}/messages`, { text: `missed ${i}` });
    const lastSeen = Math.max(...first.frames.map((f: any) => f.event_id ?? 0));
    const again = await env.ws(w(), null);
    again.send({ type: 'auth', token: await w().token(b), resume_from: lastSeen });
    const ready = await again.next('ready');
    expect(ready.resumed).toBe(true);
    await roundTrip(again);
    // Positions in the widget's log: strictly increasing, all after the one resumed from.
    const ids = again.frames.flatMap((f: any) => (f.event_id ? [f.event_id] : []));
    expect(ids[0]).toBeGreaterThan(lastSeen);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    expect(others(again, 'message.new').map((f: any) => f.message.text)).toEqual([0, 1, 2, 3, 4].map((i) => `missed ${i}`));
    expect(seen.message.text).toBe('seen');
    void a;
  });

  it('a message committed while the socket is resuming is sent once (resume race)', async () => {
    const { b, apiA, dialog } = await pair();
    const first = await tab(b);
    const lastSeen: number = (first.frames.find((f) => f.type === 'ready') as any).last_event_id;
    first.close();
    await first.closed;
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'missed' });
    // Commit one message after the new socket subscribed and before it reads the log (so it is
    // both held live and in the replay), and one after the read (held live only).
    const store = env.server.store;
    const readEvents = store.readEvents;
    store.readEvents = async (...args) => {
      await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'during' });
      const page = await readEvents.apply(store, args);
      await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'after' });
      return page;
    };
    let again: WsClient;
    try {
      again = await tab(b, lastSeen);
    } finally {
      store.readEvents = readEvents;
    }
    await expect.poll(() => others(again, 'message.new').length).toBeGreaterThanOrEqual(3);
    await roundTrip(again);
    const ids = again.frames.flatMap((f: any) => (f.event_id ? [f.event_id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(others(again, 'message.new').map((f: any) => f.message.text)).toEqual(['missed', 'during', 'after']);
  });

  it('says so when the missed events are no longer kept, or the id is unknown', async () => {
    const { b, apiA, dialog } = await pair();
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'old' });
    await apiA.post(`/dialogs/${dialog.id}/messages`, { text: 'old too' });
    await env.server.store.pruneEvents(clock.now() + 1);
    const c = await env.ws(w(), null);
    c.send({ type: 'auth', token: await w().token(b), resume_from: 1 });
    expect(await c.next('ready')).toMatchObject({ resumed: false });
    const d = await env.ws(w(), null);
    d.send({ type: 'auth', token: await w().token(b), resume_from: 10_000 });
    expect(await d.next('ready')).toMatchObject({ resumed: false });
  });

  it('loses and doubles nothing when the connection drops at random points while messages flow', async () => {
    const { b, apiA, dialog } = await pair();
    const TOTAL = 120;
    const received: number[] = [];
    // Where the stream stands before anything is sent: what a fresh client learns from ready.
    const fresh = await tab(b);
    let lastEventId: number = (fresh.frames.find((f) => f.type === 'ready') as any).last_event_id;
    fresh.close();
    await fresh.closed;
    let sending = true;
    let rng = 42;
    const random = () => ((rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const sender = (async () => {
      for (let i = 1; i <= TOTAL; i++) await apiA.post(`/dialogs/${dialog.id}/messages`, { text: `m${i}`, client_msg_id: `r${i}` });
      sending = false;
    })();
    const consume = (c: WsClient) =>
      c.socket.on('message', (data) => {
        const f = JSON.parse(data.toString());
        if (f.event_id) {
          expect(f.event_id).toBeGreaterThan(lastEventId);
          lastEventId = f.event_id;
        }
        if (f.type === 'message.new') received.push(f.message.seq);
      });
    while (sending) {
      const c = await env.ws(w(), null);
      consume(c);
      c.send({ type: 'auth', token: await w().token(b), resume_from: lastEventId });
      // The point of this test is where in the resume the drop lands, so it comes after a random
      // real delay (seeded, 0-60 ms): no event marks "somewhere in the middle of catching up".
      await new Promise((r) => setTimeout(r, random() * 60));
      c.socket.terminate(); // an abrupt drop, at a random point
      await c.closed;
    }
    await sender;
    const last = await env.ws(w(), null);
    consume(last);
    last.send({ type: 'auth', token: await w().token(b), resume_from: lastEventId });
    const ready = await last.next('ready');
    expect(ready.resumed).toBe(true);
    await roundTrip(last);
    expect(received).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
  });
});
