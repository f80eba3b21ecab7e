// Quiet, useful logs, read from the server's own pino output: client faults are debug lines
// without stacks, every request line carries its request id, and no level above debug ever holds
// a token or a message text.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OpsEnv, startOpsEnv } from './test-env.ts';

let env: OpsEnv;
let dialogId: number;
beforeAll(async () => {
  env = await startOpsEnv({ logLevel: 'trace' });
  dialogId = ((await (await env.api(1, '/dialogs', { method: 'POST', body: JSON.stringify({ user_id: 2 }) })).json()) as { id: number }).id;
});
afterAll(() => env.close());

const STACK = /\n\s+at /;

/** Sends the head of a POST and part of its body, then resets the connection. */
async function abortMidBody(path: string, token: string): Promise<void> {
  const url = new URL(env.server.url);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  // "100 Continue" comes once the server handed the request to the app: what follows is mid-body.
  const continued = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n`,
  );
  await continued;
  socket.write('{"text":"only the start');
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.resetAndDestroy();
  });
}

it('a client aborting a request body mid-way leaves no error-level line and no stack trace, however often it does it', async () => {
  const token = await env.token(1);
  const from = env.rawLogs.length;
  for (let i = 0; i < 20; i++) await abortMidBody(`/api/v1/${env.devId}/dialogs/${dialogId}/messages`, token);
  // Every aborted request was handled to its end (its request line is written last).
  await expect.poll(() => env.logs().slice(from).filter((l) => l.msg === 'request').length, { timeout: 10_000 }).toBe(20);
  const lines = env.logs().slice(from);
  expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  // Each abort is noted at debug, with its request id and nothing more.
  const aborts = lines.filter((l) => l.msg === 'client went away mid-request');
  expect(aborts).toHaveLength(20);
  for (const l of aborts) expect(l).toMatchObject({ level: 20, request_id: expect.any(String), reason: 'aborted' });
  expect(env.rawLogs.slice(from).filter((l) => STACK.test(JSON.parse(l).err?.stack ?? '') || l.includes('"stack"'))).toEqual([]);
  // And the server carries on.
  expect((await env.api(1, `/dialogs/${dialogId}/messages`, { method: 'POST', body: JSON.stringify({ text: 'still here' }) })).status).toBe(201);
});

it('a message with a distinctive text sent with a token leaves neither in any log line at info level or above, and the token in none at all', async () => {
  const text = 'canary-7f3a9 the secret plan';
  const token = await env.token(1);
  const from = env.rawLogs.length;
  const res = await fetch(`${env.server.url}/api/v1/${env.devId}/dialogs/${dialogId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  expect(res.status).toBe(201);
  // The same token on a socket, and refused ones with texts, so the error paths are covered too.
  const ws = await env.ws(1);
  ws.close();
  await ws.closed;
  await fetch(`${env.server.url}/api/v1/${env.devId}/dialogs/999999/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  await fetch(`${env.server.url}/api/v1/${env.devId}/me`, { headers: { authorization: `Bearer ${token}x` } });
  // Something was logged for these requests (debug lines): the absence below is not from silence.
  await expect.poll(() => env.logs().slice(from).filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(3);
  const lines = env.rawLogs.slice(from);
  expect(lines.filter((l) => l.includes(token) || l.includes(token.split('.')[2]!))).toEqual([]);
  expect(lines.filter((l) => JSON.parse(l).level >= 30 && l.includes('canary-7f3a9'))).toEqual([]);
});

it('every answer carries a request id: a plain one sent as X-Request-Id is echoed, a missing or odd one is replaced, and the request line carries it', async () => {
  const from = env.rawLogs.length;
  const echoed = await env.api(1, '/me', { headers: { 'x-request-id': 'lb-7f3a-0001' } });
  expect(echoed.headers.get('x-request-id')).toBe('lb-7f3a-0001');
  const generated = await env.api(1, '/me');
  expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  for (const odd of ['has spaces in it', 'x'.repeat(65), '{"inject":1}']) {
    const res = await env.api(1, '/me', { headers: { 'x-request-id': odd } });
    expect(res.headers.get('x-request-id'), odd).toMatch(/^[0-9a-f-]{36}$/);
  }
  const missing = await env.fetch('/nowhere');
  expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  await expect.poll(() => env.logs().slice(from).filter((l) => l.msg === 'request').map((l) => l.request_id)).toEqual(
    expect.arrayContaining(['lb-7f3a-0001', generated.headers.get('x-request-id'), missing.headers.get('x-request-id')]),
  );
});
