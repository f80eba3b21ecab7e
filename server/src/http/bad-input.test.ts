import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, createEnv } from '../testing/harness.ts';

let env: Env;
let dialogId: number;
beforeAll(async () => {
  env = await createEnv({ allowedOrigins: ['https://site.example'] });
  const w = env.widgets[0]!;
  dialogId = (await env.api(w, await w.token(1)).post('/dialogs', { user_id: 2 })).body.id;
});
afterAll(() => env.close());

async function alice() {
  const w = env.widgets[0]!;
  return env.api(w, await w.token(1));
}

function expectError(res: { status: number; body: any }, status: number, code: string, message?: RegExp) {
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  if (message) expect(res.body.error.message).toMatch(message);
}

describe('bad input gets a clear JSON error, never a 500', () => {
  it('413 for a body over the limit', async () => {
    const a = await alice();
    expectError(await a.post(`/dialogs/${dialogId}/messages`, { text: 'x'.repeat(70_000) }), 413, 'payload_too_large', /64 KiB/);
  });

  it('400 for invalid JSON', async () => {
    const a = await alice();
    const res = await a.raw(`/dialogs/${dialogId}/messages`, { method: 'POST', body: '{"text": "unterminated', headers: { 'content-type': 'application/json' } });
    expectError(res, 400, 'invalid_json');
    expectError(await a.raw('/dialogs', { method: 'POST', body: '' }), 400, 'invalid_json');
  });

  it('400 for empty, blank, too long or non-string text', async () => {
    const a = await alice();
    const url = `/dialogs/${dialogId}/messages`;
    expectError(await a.post(url, { text: '' }), 400, 'validation_failed', /text must not be empty/);
    expectError(await a.post(url, { text: ' \n\t ' }), 400, 'validation_failed', /text must not be empty/);
    expectError(await a.post(url, { text: 'я'.repeat(4001) }), 400, 'validation_failed', /at most 4000/);
    expectError(await a.post(url, { text: 42 }), 400, 'validation_failed', /text/);
    expectError(await a.post(url, {}), 400, 'validation_failed', /text/);
    expectError(await a.post(url, [1, 2]), 400, 'validation_failed');
    expectError(await a.post(url, { text: 'ok', client_msg_id: 'c'.repeat(65) }), 400, 'validation_failed', /client_msg_id/);
    // PostgreSQL text cannot hold U+0000: refused the same way on every engine, never a 500.
    expectError(await a.post(url, { text: 'a\u0000b' }), 400, 'validation_failed', /NUL/);
    expectError(await a.post(url, { text: 'ok', client_msg_id: 'c\u0000' }), 400, 'validation_failed', /NUL/);
    expectError(await a.post('/dialogs', { type: 'group', title: 'x\u0000', user_ids: [2] }), 400, 'validation_failed', /NUL/);
    // 4000 characters that are each two UTF-16 units are still 4000 characters
    expect((await a.post(url, { text: '😀'.repeat(4000) })).status).toBe(201);
  });

  it('404 for unknown dialogs, 400 for ids that are not ids', async () => {
    const a = await alice();
    expectError(await a.get('/dialogs/987654321/messages'), 404, 'dialog_not_found');
    expectError(await a.get('/dialogs/987654321'), 404, 'dialog_not_found');
    for (const bad of ['abc', '0', '-1', '1.5', '99999999999999999999', '%00']) {
      expectError(await a.get(`/dialogs/${bad}/messages`), 400, 'validation_failed', /dialog_id/);
    }
    expectError(await a.post(`/dialogs/${dialogId}/read`, { message_id: 'x' }), 400, 'validation_failed', /message_id/);
    expectError(await a.post(`/dialogs/${dialogId}/read`, { message_id: -4 }), 400, 'validation_failed');
  });

  it('400 for bad user ids and bad query parameters', async () => {
    const a = await alice();
    for (const user_id of [null, '', true, 1.5, { id: 2 }, 'z'.repeat(129)]) {
      expectError(await a.post('/dialogs', { user_id }), 400, 'validation_failed', /user_id/);
    }
    expectError(await a.get(`/dialogs/${dialogId}/messages?limit=101`), 400, 'validation_failed', /limit/);
    expectError(await a.get(`/dialogs/${dialogId}/messages?limit=0`), 400, 'validation_failed', /limit/);
    expectError(await a.get(`/dialogs/${dialogId}/messages?before=x`), 400, 'validation_failed', /before/);
    expectError(await a.get(`/dialogs/${dialogId}/messages?before=3&after=1`), 400, 'validation_failed', /cannot be combined/);
    // Above the highest seq a dialog can have (it once reached PostgreSQL's int4 column as a 500).
    expectError(await a.get(`/dialogs/${dialogId}/messages?after=2147483648`), 400, 'validation_failed', /after/);
    expect((await a.get(`/dialogs/${dialogId}/messages?after=2147483647`)).status).toBe(200);
    expectError(await a.get('/dialogs?cursor=garbage'), 400, 'validation_failed', /cursor/);
    expectError(await a.get('/dialogs?limit=1000'), 400, 'validation_failed', /limit/);
  });

  it('404 for unknown widgets and routes, 403 for origins the widget does not allow', async () => {
    const w = env.widgets[0]!;
    const res = await fetch(`${env.server.url}/api/v1/no-such-widget/me`, { headers: { authorization: `Bearer ${await w.token(1)}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('widget_not_found');
    const weird = await fetch(`${env.server.url}/api/v1/${'%E2%80%AE'.repeat(3)}/me`);
    expect(weird.status).toBe(404);
    const route = await fetch(`${env.server.url}/api/v1/${w.devId}/nope`, { headers: { authorization: `Bearer ${await w.token(1)}` } });
    expect(route.status).toBe(404);
    expect(((await route.json()) as any).error.code).toBe('not_found');

    const a = await alice();
    const evil = await a.raw('/me', { headers: { origin: 'https://evil.example' } });
    expectError(evil, 403, 'origin_not_allowed');
    // The page can read why it was refused (the widget shows it instead of a network error).
    expect(evil.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    const good = await a.raw('/me', { headers: { origin: 'https://site.example' } });
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://site.example');
    const preflight = await fetch(`${env.server.url}/api/v1/${w.devId}/dialogs`, {
      method: 'OPTIONS',
      headers: { origin: 'https://site.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    // A refused preflight would surface as a network error in the page; the preflight from a
    // foreign origin passes and the request it clears is the one refused, readably.
    const foreign = await fetch(`${env.server.url}/api/v1/${w.devId}/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(foreign.status).toBe(204);
    expect(foreign.headers.get('access-control-allow-origin')).toBe('https://evil.example');
  });

  it('an unknown route answers 404 not_found even without a token', async () => {
    const w = env.widgets[0]!;
    for (const path of ['/nope', '/dialogs/1/nope', '/me/too']) {
      const res = await fetch(`${env.server.url}/api/v1/${w.devId}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('not_found');
    }
    expect((await fetch(`${env.server.url}/api/v1/${w.devId}/dialogs`)).status).toBe(401);
  });

  it('an Origin that is not a browser\'s (12 KB of non-ASCII bytes) is never echoed, so the answer head stays small', async () => {
    const w = env.widgets[0]!;
    const origin = Buffer.from('\xef\xbf\xbd'.repeat(4000), 'latin1');
    const head = Buffer.concat([Buffer.from(`GET /api/v1/${w.devId}/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await w.token(1)}\r\nOrigin: `), origin, Buffer.from('\r\nConnection: close\r\n\r\n')]);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(env.server.port, '127.0.0.1', () => socket.end(head));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    const [status, ...headers] = answer.slice(0, answer.indexOf('\r\n\r\n')).split('\r\n');
    expect(status).toMatch(/^HTTP\/1\.1 403/);
    expect(headers.join('\n')).not.toMatch(/access-control-allow-origin/i);
    expect(answer.indexOf('\r\n\r\n')).toBeLessThan(4096);
  });

  it('a request without an Origin gets no CORS grant from a widget that lists its origins', async () => {
    const w = env.widgets[0]!;
    const res = await fetch(`${env.server.url}/api/v1/${w.devId}/me`, { headers: { authorization: `Bearer ${await w.token(1)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('auth errors carry CORS headers so the page can read them', async () => {
    const w = env.widgets[0]!;
    const res = await fetch(`${env.server.url}/api/v1/${w.devId}/me`, { headers: { origin: 'https://site.example' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://site.example');
  });
});
