// Rate limits of sending and read marks over REST: the finding "one user sent 1,000 messages in
// 2 s, all 201", and that a limit stays with its user, address and widget. Time is a ManualClock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../limits/policy.ts';
import { setWidgetLimits } from '../limits/test-support.ts';
import { ManualClock } from '../testing/clock.ts';
import { type Api, type ApiResult, type Env, type TestWidget, createEnv } from '../testing/harness.ts';

let env: Env;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock();
  env = await createEnv({ clock, widgets: 2 });
});
afterEach(() => env.close());

const w = (i = 0) => env.widgets[i]!;
const as = async (userId: number | string, widget: TestWidget = w(), headers: Record<string, string> = {}): Promise<Api> => {
  const api = env.api(widget, await widget.token(userId));
  return { ...api, post: (path, body) => api.raw(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }) };
};
const dialogWith = async (api: Api, partner: number | string): Promise<number> => (await api.post('/dialogs', { user_id: partner })).body.id;
const send = (api: Api, dialogId: number, text = 'hi') => api.post(`/dialogs/${dialogId}/messages`, { text });

/** Runs `n` calls, `width` at a time: a burst as a script sends it, without opening 1,000 sockets at once. */
async function burst(n: number, call: (i: number) => Promise<ApiResult>, width = 50): Promise<ApiResult[]> {
  const out: ApiResult[] = [];
  for (let i = 0; i < n; i += width) out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => call(i + j)))));
  return out;
}

describe('No rate limits: one user sent 1,000 messages in 2 s, all 201', () => {
  it('1,000 sends in a burst: the first 30 are stored, the rest get 429 rate_limited with Retry-After, and sending works again after the wait', async () => {
    await setWidgetLimits(env, w(), { send: DEFAULT_RATE_LIMITS.send });
    const alice = await as(1);
    const id = await dialogWith(alice, 2);
    const results = await burst(1000, (i) => alice.post(`/dialogs/${id}/messages`, { text: `spam ${i}`, client_msg_id: `s${i}` }));
    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(30);
    expect(refused).toHaveLength(970);
    for (const r of refused) {
      // 3 per second: the next token is a third of a second away, announced as a whole second.
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.body).toEqual({ error: { code: 'rate_limited', message: 'Too many messages from you in a short time: try again in 1 s.' } });
    }
    const stored = await alice.get(`/dialogs/${id}/messages?limit=100`);
    expect(stored.body.items).toHaveLength(30);

    clock.advance(1000);
    const after = await burst(5, () => send(alice, id));
    // Three of the five get through (which three depends on the order they reach the limiter).
    expect(after.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429]);
  });

  it("one user's empty bucket does not slow another user of the widget, nor the same user id in another widget", async () => {
    for (const i of [0, 1]) await setWidgetLimits(env, w(i), { send: { user: { burst: 3, perSecond: 1 } } });
    const alice = await as(1);
    const bob = await as(2);
    const aliceElsewhere = await as(1, w(1));
    const id = await dialogWith(alice, 2);
    const otherId = await dialogWith(aliceElsewhere, 2);
    expect((await burst(4, () => send(alice, id))).map((r) => r.status).sort()).toEqual([201, 201, 201, 429]);
    expect((await burst(3, () => send(bob, id))).map((r) => r.status)).toEqual([201, 201, 201]);
    expect((await burst(3, () => send(aliceElsewhere, otherId))).map((r) => r.status)).toEqual([201, 201, 201]);
  });

  it("a widget's rate_limits override the server's defaults for that widget only", async () => {
    await setWidgetLimits(env, w(0), { send: { user: { burst: 5, perSecond: 1 } } });
    const strict = await as(1, w(0));
    const relaxed = await as(1, w(1));
    const strictId = await dialogWith(strict, 2);
    const relaxedId = await dialogWith(relaxed, 2);
    expect((await burst(6, () => send(strict, strictId))).filter((r) => r.status === 201)).toHaveLength(5);
    expect((await burst(6, () => send(relaxed, relaxedId))).filter((r) => r.status === 201)).toHaveLength(6);
    // Back to the defaults when the override goes: the bucket refills toward the larger burst.
    await setWidgetLimits(env, w(0), null);
    clock.advance(10_000);
    expect((await burst(6, () => send(strict, strictId))).filter((r) => r.status === 201)).toHaveLength(6);
  });

  it('the users behind one address share its bucket, and a refusal says it is the address', async () => {
    await setWidgetLimits(env, w(), { send: { user: { burst: 30, perSecond: 3 }, ip: { burst: 4, perSecond: 1 } } });
    const [a, b, c] = [await as(1), await as(2), await as(3)];
    const ab = await dialogWith(a, 2);
    const ca = await dialogWith(c, 1);
    expect((await burst(2, () => send(a, ab))).map((r) => r.status)).toEqual([201, 201]);
    expect((await burst(2, () => send(b, ab))).map((r) => r.status)).toEqual([201, 201]);
    const refused = await send(c, ca);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toBe('Too many messages from your network address in a short time: try again in 1 s.');
  });

  it('X-Forwarded-For does not open a new bucket when no proxy is trusted', async () => {
    await setWidgetLimits(env, w(), { send: { user: { burst: 30, perSecond: 3 }, ip: { burst: 2, perSecond: 1 } } });
    const spoofers = [await as(1, w(), { 'x-forwarded-for': '198.51.100.1' }), await as(2, w(), { 'x-forwarded-for': '198.51.100.2' })];
    const third = await as(3, w(), { 'x-forwarded-for': '198.51.100.3, 198.51.100.4' });
    const id = await dialogWith(spoofers[0]!, 2);
    const own = await dialogWith(third, 1);
    for (const s of spoofers) expect((await send(s, id)).status).toBe(201);
    expect((await send(third, own)).status).toBe(429);
  });

  it('a request refused as invalid takes no token: only requests that would be served count', async () => {
    await setWidgetLimits(env, w(), { send: { user: { burst: 2, perSecond: 1 } } });
    const alice = await as(1);
    const id = await dialogWith(alice, 2);
    for (let i = 0; i < 10; i++) expect((await alice.post(`/dialogs/${id}/messages`, { text: '   ' })).status).toBe(400);
    expect((await burst(3, () => send(alice, id))).map((r) => r.status).sort()).toEqual([201, 201, 429]);
  });

  it('a cross-origin page can read Retry-After from a 429', async () => {
    await setWidgetLimits(env, w(), { send: { user: { burst: 1, perSecond: 0.1 } } });
    const alice = await as(1, w(), { origin: 'https://shop.example' });
    const id = await dialogWith(alice, 2);
    await send(alice, id);
    const refused = await send(alice, id);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(refused.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
  });
});

describe('read marks', () => {
  it('a flood of read marks gets 429 after the burst, and another user still marks read', async () => {
    await setWidgetLimits(env, w(), { read: { user: { burst: 3, perSecond: 1 } } });
    const alice = await as(1);
    const bob = await as(2);
    const id = await dialogWith(alice, 2);
    const message = (await send(alice, id)).body;
    const marks = await burst(5, () => bob.post(`/dialogs/${id}/read`, { message_id: message.id }));
    // Sent together, they reach the server in any order: three are taken, whichever they are.
    expect(marks.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(marks.find((r) => r.status === 429)!.body.error.code).toBe('rate_limited');
    expect((await alice.post(`/dialogs/${id}/read`, { message_id: message.id })).status).toBe(200);
  });
});
