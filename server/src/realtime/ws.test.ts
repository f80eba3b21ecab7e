import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TOKEN_LEEWAY_S } from '../auth/token.ts';
import { ManualClock } from '../testing/clock.ts';
import { type Env, connectWs, createEnv, roundTrip, sign, within } from '../testing/harness.ts';
import { CloseCode, MAX_CLIENT_FRAME_BYTES } from './protocol.ts';

// The auth timeout and the token-expiry close are timers on `clock`: a test moves it to the
// millisecond they are due, and to the one before, and awaits what the socket does. The heartbeat
// keeps real time (200 ms here).
let env: Env;
const clock = new ManualClock();
const AUTH_TIMEOUT_MS = 4_000;
// The presence grace that closes set off runs on the same clock: kept long, so the timers due
// within two auth timeouts are the auth timeouts.
const GRACE_MS = 60_000;
beforeAll(async () => {
  env = await createEnv({ authTimeoutMs: AUTH_TIMEOUT_MS, presenceGraceMs: GRACE_MS, heartbeatMs: 200, allowedOrigins: ['https://site.example'], clock });
});
afterAll(() => env.close());

const w = () => env.widgets[0]!;
const wsUrl = (devId = w().devId) => `${env.server.url.replace('http', 'ws')}/api/v1/${devId}/ws`;

describe('WebSocket handshake', () => {
  it('answers a valid auth frame with ready and the user', async () => {
    const c = await connectWs(wsUrl(), null);
    c.send({ type: 'auth', token: await w().token(1) });
    const ready = await c.next('ready');
    expect(ready.user).toMatchObject({ user_id: '1', name: 'Alice' });
    expect(ready.heartbeat_ms).toBe(200);
    c.close();
  });

  it('closes with 4001 and the reason for a bad token', async () => {
    const cases: Array<[string, string]> = [
      [await sign(w().secret, { user_id: 1, exp: Math.floor(clock.now() / 1000) - 3600 }), 'token_expired'],
      [await sign('y'.repeat(40), { user_id: 1, exp: Math.floor(clock.now() / 1000) + 60 }), 'token_bad_signature'],
      ['nonsense', 'token_malformed'],
    ];
    for (const [token, reason] of cases) {
      const c = await connectWs(wsUrl(), null);
      c.send({ type: 'auth', token });
      expect(await c.closed).toEqual({ code: CloseCode.AUTH_FAILED, reason });
    }
  });

  it('closes a socket that has not authenticated when the auth timeout ends, not a millisecond before', async () => {
    const late = await connectWs(wsUrl(), null);
    const silent = await connectWs(wsUrl(), null);
    // Each socket's session starts its timeout once the widget is looked up, after the upgrade.
    const soon = clock.now() + 2 * AUTH_TIMEOUT_MS;
    await expect.poll(() => clock.pendingTimers().filter((at) => at < soon)).toHaveLength(2);
    clock.advance(AUTH_TIMEOUT_MS - 1);
    // Still open: an auth frame now is answered with ready, not with the close.
    late.send({ type: 'auth', token: await w().token(1) });
    expect(await late.next('ready')).toMatchObject({ user: { user_id: '1' } });
    clock.advance(1);
    expect(await within(silent.closed, 'the silent socket stayed open')).toEqual({ code: CloseCode.AUTH_TIMEOUT, reason: 'auth_timeout' });
    // Authenticating stopped the timeout of the other one.
    await roundTrip(late);
    expect(late.socket.readyState).toBe(WebSocket.OPEN);
    late.close();
  });

  it('closes when the first frame is not auth, or auth comes twice', async () => {
    const c = await connectWs(wsUrl(), null);
    c.send({ type: 'ping' });
    expect((await c.closed).code).toBe(CloseCode.PROTOCOL_ERROR);
    const d = await connectWs(wsUrl(), await w().token(1));
    d.send({ type: 'auth', token: await w().token(1) });
    expect((await d.closed).code).toBe(CloseCode.PROTOCOL_ERROR);
  });

  it('refuses unknown widgets and foreign origins with codes that say do not reconnect', async () => {
    const c = await connectWs(wsUrl('missing-widget'), null);
    expect(await c.closed).toEqual({ code: CloseCode.WIDGET_NOT_FOUND, reason: 'widget_not_found' });
    const d = await connectWs(wsUrl(), null, { origin: 'https://evil.example' });
    expect(await d.closed).toEqual({ code: CloseCode.ORIGIN_NOT_ALLOWED, reason: 'origin_not_allowed' });
    const e = await connectWs(wsUrl(), await w().token(1), { origin: 'https://site.example' });
    e.close();
  });

  it('does not upgrade other paths', async () => {
    const socket = new WebSocket(`${env.server.url.replace('http', 'ws')}/elsewhere`);
    await expect(new Promise((_, reject) => socket.once('error', reject))).rejects.toThrow(/404/);
  });

  it('closes a socket when its token expires, at the moment REST starts refusing it, not a millisecond before', async () => {
    const exp = Math.floor(clock.now() / 1000) + 10;
    const refusedFrom = (exp + TOKEN_LEEWAY_S) * 1000;
    const token = await sign(w().secret, { user_id: 2, exp });
    const c = await connectWs(wsUrl(), token); // its expiry is timed before ready goes out
    // exp passed just under a minute ago, by the server's clock: inside the leeway, still accepted.
    clock.set(refusedFrom - 1);
    expect((await env.api(w(), token).get('/me')).status).toBe(200);
    await roundTrip(c);
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
    clock.set(refusedFrom);
    const closed = await within(c.closed, 'the socket with an expired token stayed open');
    expect(closed).toEqual({ code: CloseCode.AUTH_FAILED, reason: 'token_expired' });
    expect((await env.api(w(), token).get('/me')).body.error.code).toBe('token_expired');
  });
});

describe('WebSocket frames after ready', () => {
  it('answers ping with pong and unknown frames with an error frame, staying open', async () => {
    const c = await connectWs(wsUrl(), await w().token(1));
    c.send('not json');
    expect(await c.next('error')).toMatchObject({ code: 'bad_frame' });
    c.send({ type: 'launch_missiles' });
    expect(await c.next('error')).toMatchObject({ code: 'bad_frame' });
    await roundTrip(c);
    expect(c.socket.readyState).toBe(WebSocket.OPEN);
    c.close();
  });

  it('closes with 1009 a frame over the size limit', async () => {
    const c = await connectWs(wsUrl(), await w().token(1));
    c.send({ type: 'ping', pad: 'x'.repeat(MAX_CLIENT_FRAME_BYTES) });
    expect((await c.closed).code).toBe(1009);
  });

  it('drops a connection that stops answering pings', async () => {
    const c = await connectWs(wsUrl(), await w().token(1));
    expect(env.server.hub.connectionCount(w().row.id, '1')).toBeGreaterThan(0);
    // Pausing the socket stops the client from reading pings, so it never pongs.
    (c.socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
    await expect.poll(() => env.server.hub.connectionCount(w().row.id, '1'), { timeout: 5000 }).toBe(0);
  });
});
