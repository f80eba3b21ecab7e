// Bounded memory from a client: what one socket can make the server hold. A socket that never
// reads, floods garbage or opens tab after tab is cut off, and everyone else is served meanwhile.
// The bound is read from the server's own count of queued bytes (ws.bufferedAmount), not from RSS.
import type { Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, MAX_BAD_FRAMES } from '../realtime/protocol.ts';
import { connectWs, roundTrip, within } from '../testing/harness.ts';
import { registry } from './metrics.ts';
import { type OpsEnv, startOpsEnv } from './test-env.ts';

let env: OpsEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** The client's TCP socket: pausing it stops the client from reading, as a stalled phone does. */
const tcp = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

async function closedByServer(reason: string): Promise<number> {
  const metric = await registry.getSingleMetric('imbachat_ws_closed_by_server_total')!.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

it('a socket that never reads and floods invalid 1-byte frames is closed with too_many_bad_frames after a few error frames, and others are served meanwhile', async () => {
  const LIMIT = 64 * 1024;
  env = await startOpsEnv({ maxBufferedBytes: LIMIT, logLevel: 'info' });
  const e = env;
  const flooder = await e.ws(1);
  const bystander = await e.ws(3);
  const before = await closedByServer('too_many_bad_frames');
  const logged = e.logs().length; // from here on (a fresh checkout warns at start that the widget is not built)
  tcp(flooder.socket).pause();
  for (let i = 0; i < 10_000; i++) flooder.socket.send('x');

  // Everyone else is answered while the flood is being handled.
  const [health, me] = await Promise.all([e.fetch('/healthz'), e.api(2, '/me'), roundTrip(bystander)]);
  expect(health.status).toBe(200);
  expect(me.status).toBe(200);

  await expect.poll(() => closedByServer('too_many_bad_frames'), { timeout: 10_000 }).toBe(before + 1);
  // Read what was queued for it: a few error frames and the close, not one error per frame.
  tcp(flooder.socket).resume();
  expect(await within(flooder.closed, 'the flooding socket stayed open')).toEqual({ code: CloseCode.TOO_MANY_BAD_FRAMES, reason: 'too_many_bad_frames' });
  expect(flooder.frames.filter((f) => f.type === 'error')).toHaveLength(MAX_BAD_FRAMES);
  expect(e.server.realtime.stats().peakQueuedBytes).toBeLessThan(LIMIT);
  await roundTrip(bystander);
  expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
  // Client faults are not errors of ours: nothing at warn or above.
  expect(e.logs().slice(logged).filter((l) => l.level >= 40)).toEqual([]);
});

it('a slow consumer is closed with slow_consumer before the bytes queued for it pass the buffer limit', async () => {
  const LIMIT = 256 * 1024;
  env = await startOpsEnv({ maxBufferedBytes: LIMIT });
  const e = env;
  const dialog = (await (await e.api(1, '/dialogs', { method: 'POST', body: JSON.stringify({ user_id: 2 }) })).json()) as { id: number };
  const slow = await e.ws(2);
  const bystander = await e.ws(3);
  tcp(slow.socket).pause();
  const widget = (await e.server.widgets.find(e.devId))!;
  // 16 KB frames (4,000 four-byte characters): far more than the kernel's socket buffers hold.
  const text = '😀'.repeat(4000);
  const sends: Array<Promise<unknown>> = [];
  for (let i = 0; i < 800; i++) sends.push(e.server.messages.send({ widget, userId: '1' }, dialog.id, text, null));
  await Promise.all(sends);

  await expect.poll(() => closedByServer('slow_consumer'), { timeout: 10_000 }).toBe(1);
  expect(e.server.realtime.stats().peakQueuedBytes).toBeGreaterThan(LIMIT / 2);
  expect(e.server.realtime.stats().peakQueuedBytes).toBeLessThanOrEqual(LIMIT);
  tcp(slow.socket).resume();
  expect((await within(slow.closed, 'the slow socket stayed open')).code).toBe(CloseCode.SLOW_CONSUMER);
  await roundTrip(bystander);
});

it('a user opening more sockets than the cap gets the oldest closed with too_many_connections; the newest are served', async () => {
  env = await startOpsEnv({ maxSocketsPerUser: 3 });
  const e = env;
  const first = await e.ws(1);
  const rest = [await e.ws(1), await e.ws(1)];
  const other = await e.ws(2);
  await roundTrip(first);
  const newest = await e.ws(1);
  expect(await within(first.closed, 'the oldest socket stayed open')).toEqual({ code: CloseCode.TOO_MANY_CONNECTIONS, reason: 'too_many_connections' });
  for (const s of [...rest, newest, other]) {
    await roundTrip(s);
    expect(s.socket.readyState).toBe(WebSocket.OPEN);
  }
});

it('garbage sent right behind the auth frame, while the token is still being checked, closes the socket with too_many_bad_frames instead of leaving it deaf', async () => {
  env = await startOpsEnv();
  const e = env;
  const c = await connectWs(e.wsUrl, null);
  c.send({ type: 'auth', token: await e.token(1) });
  for (let i = 0; i < 20; i++) c.send('x');
  expect(await within(c.closed, 'the socket stayed open')).toEqual({ code: CloseCode.TOO_MANY_BAD_FRAMES, reason: 'too_many_bad_frames' });
});
