// Rate limits on the WebSocket: a typing flood is dropped with one answer, and a connect flood (per
// user at auth, per address at upgrade) is closed with 4429 rate_limited. Time is a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/clock.ts';
import { type Env, type WsClient, createEnv, roundTrip, within } from '../testing/harness.ts';
import { CloseCode, type ServerFrame } from '../realtime/protocol.ts';
import { DEFAULT_RATE_LIMITS } from './policy.ts';
import { setWidgetLimits } from './test-support.ts';

let env: Env;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock();
  env = await createEnv({ clock, widgets: 2 });
});
afterEach(() => env.close());

const w = (i = 0) => env.widgets[i]!;
const wsUrl = (i = 0) => `${env.server.url.replace('http', 'ws')}/api/v1/${w(i).devId}/ws`;
const errors = (c: WsClient) => c.frames.filter((f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error');
const count = (c: WsClient, type: ServerFrame['type']) => c.frames.filter((f) => f.type === type).length;

/** Opens a socket and authenticates; resolves with the client and how the attempt ended. */
async function attempt(userId: number | string, widget = 0) {
  const c = await env.ws(w(widget), null);
  c.send({ type: 'auth', token: await w(widget).token(userId) });
  const first = await within(Promise.race([c.next('ready').then(() => 'ready' as const), c.closed]), 'ready or close');
  return { c, outcome: first };
}

describe('typing flood', () => {
  it('a typing flood is cut at the burst: the partner sees 30, the typist gets one rate_limited error, and typing works after the wait', async () => {
    await setWidgetLimits(env, w(), { typing: DEFAULT_RATE_LIMITS.typing });
    const typistApi = env.api(w(), await w().token(1));
    const dialog = (await typistApi.post('/dialogs', { user_id: 2 })).body;
    const typist = await env.ws(w(), await w().token(1));
    const partner = await env.ws(w(), await w().token(2));
    for (let i = 0; i < 200; i++) typist.send({ type: i % 2 ? 'typing.stop' : 'typing.start', dialog_id: dialog.id });
    for (let i = 0; i < 200; i++) typist.send({ type: 'typing.start', dialog_id: dialog.id });
    await roundTrip(typist);
    const relayed = () => partner.frames.filter((f) => f.type === 'typing.start' || f.type === 'typing.stop').length;
    // What got through reaches the partner (through Redis, not always before later frames)…
    await expect.poll(relayed, { timeout: 10_000 }).toBe(30);
    // …and nothing more: a message sent after the flood arrives with the count still 30.
    await typistApi.post(`/dialogs/${dialog.id}/messages`, { text: 'after the flood' });
    await partner.next('message.new');
    expect(relayed()).toBe(30);

    await roundTrip(typist);
    const refusals = errors(typist);
    expect(refusals).toEqual([
      { type: 'error', code: 'rate_limited', message: 'Too many typing notices from you in a short time: try again in 1 s.', retry_after_ms: 500 },
    ]);
    expect(typist.socket.readyState).toBe(typist.socket.OPEN);

    clock.advance(500);
    typist.send({ type: 'typing.start', dialog_id: dialog.id });
    expect(await partner.next('typing.start')).toMatchObject({ dialog_id: dialog.id, user_id: '1' });
    // A new run of refusals is answered once again.
    for (let i = 0; i < 5; i++) typist.send({ type: 'typing.start', dialog_id: dialog.id });
    await roundTrip(typist);
    await typistApi.post(`/dialogs/${dialog.id}/messages`, { text: 'marker' });
    await typist.next('message.new');
    await typist.next('message.new');
    expect(errors(typist)).toHaveLength(2);
  });
});

describe('connect flood', () => {
  it('a user reconnecting in a loop is closed with 4429 rate_limited after 20 connects, told when to retry, and served after the wait', async () => {
    await setWidgetLimits(env, w(), { connect: DEFAULT_RATE_LIMITS.connect });
    for (let i = 0; i < 20; i++) {
      const { c, outcome } = await attempt(1);
      expect(outcome).toBe('ready');
      c.close();
      await c.closed;
    }
    const { c, outcome } = await attempt(1);
    expect(outcome).toEqual({ code: CloseCode.RATE_LIMITED, reason: 'rate_limited' });
    expect(errors(c)).toEqual([
      { type: 'error', code: 'rate_limited', message: 'Too many connections from you in a short time: try again in 2 s.', retry_after_ms: 2000 },
    ]);
    expect(count(c, 'ready')).toBe(0);
    // Another user on the same address connects meanwhile.
    expect((await attempt(2)).outcome).toBe('ready');
    clock.advance(2000);
    expect((await attempt(1)).outcome).toBe('ready');
  });

  it('an address opening sockets in a loop is closed with 4429 before it can authenticate, in that widget only', async () => {
    for (const i of [0, 1]) await setWidgetLimits(env, w(i), { connect: { user: { burst: 20, perSecond: 0.5 }, ip: { burst: 3, perSecond: 1 } } });
    for (const user of [1, 2, 3]) expect((await attempt(user)).outcome).toBe('ready');
    const refused = await env.ws(w(), null);
    expect(await within(refused.closed, 'close of the fourth socket')).toEqual({ code: CloseCode.RATE_LIMITED, reason: 'rate_limited' });
    expect(errors(refused)).toEqual([
      expect.objectContaining({ code: 'rate_limited', message: 'Too many connections from your network address in a short time: try again in 1 s.', retry_after_ms: 1000 }),
    ]);
    expect((await attempt(1, 1)).outcome).toBe('ready');
    clock.advance(1000);
    expect((await attempt('x-9')).outcome).toBe('ready');
  });
});
