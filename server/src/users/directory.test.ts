import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { type Env, TEST_HOST_ALLOWLIST, connectWs, createEnv } from '../testing/harness.ts';
import { type HostMode, type HostSite, startHostSite } from '../testing/host-site.ts';
import type { WidgetRow } from '../store/types.ts';
import { UsersDirectory } from './directory.ts';

function widgetFor(host: HostSite, id = 1): WidgetRow {
  return {
    id,
    devId: `dev${id}`,
    name: 'W',
    secretKey: 's'.repeat(40),
    apiLogin: host.login,
    apiPassword: host.password,
    usersInfoUrl: host.url,
    allowedOrigins: [],
    adminIds: [],
    createdAt: 0,
    updatedAt: 0,
  };
}

function capturingLog() {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines };
}

const hosts: HostSite[] = [];
let env: Env | undefined;
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop().catch(() => {});
  await env?.close();
  env = undefined;
});

async function host() {
  const h = await startHostSite([
    { user_id: 1, name: 'Alice', avatar_url: 'https://cdn.test/a.png', profile_url: 'https://site.test/u/1', lastlogin: 1700000000, profiles: { '11': { name: 'P' } } },
    { user_id: '2', name: 'Bob', avatar_url: false, profile_url: 'javascript:alert(1)' },
    { user_id: 3, name: 'Арт' },
  ]);
  hosts.push(h);
  return h;
}

describe('users info pulled from the host', () => {
  it('sends Basic auth and the ids as user_ids=1,2,3, and keeps extra fields', async () => {
    const h = await host();
    const dir = new UsersDirectory({ hostAllowlist: TEST_HOST_ALLOWLIST, ttlMs: 60_000, timeoutMs: 1000, log: capturingLog().log });
    const users = await dir.getMany(widgetFor(h), ['1', '2', '3']);
    expect(h.requests).toHaveLength(1);
    expect(h.requests[0]!.authorization).toBe(`Basic ${Buffer.from('chat-bot:pa:ss wörd', 'utf8').toString('base64')}`);
    expect(h.requests[0]!.rawQuery).toBe('?user_ids=1,2,3');
    expect(users.get('1')).toEqual({
      status: 'found',
      user: { user_id: '1', name: 'Alice', avatar_url: 'https://cdn.test/a.png', profile_url: 'https://site.test/u/1', lastlogin: 1700000000, profiles: { '11': { name: 'P' } } },
    });
    // avatar_url false (as the PHP example sends) and non-http links become null.
    expect(users.get('2')!.user).toMatchObject({ user_id: '2', name: 'Bob', avatar_url: null, profile_url: null });
  });

  it('coalesces lookups made within a few milliseconds into one request', async () => {
    const h = await host();
    const dir = new UsersDirectory({ hostAllowlist: TEST_HOST_ALLOWLIST, ttlMs: 60_000, timeoutMs: 1000, log: capturingLog().log });
    const w = widgetFor(h);
    const [a, b, c] = await Promise.all([dir.get(w, '1'), dir.getMany(w, ['2', '3']), dir.get(w, '1')]);
    expect([a.user.name, b.get('2')!.user.name, b.get('3')!.user.name, c.user.name]).toEqual(['Alice', 'Bob', 'Арт', 'Alice']);
    expect(h.requests).toHaveLength(1);
    expect(h.requests[0]!.ids.sort()).toEqual(['1', '2', '3']);
  });

  it('answers from the cache, and serves a stale entry while refreshing it', async () => {
    const h = await host();
    let clock = 1_000_000;
    const dir = new UsersDirectory({ hostAllowlist: TEST_HOST_ALLOWLIST, ttlMs: 10_000, timeoutMs: 1000, log: capturingLog().log, now: () => clock });
    const w = widgetFor(h);
    await dir.get(w, '1');
    await dir.get(w, '1');
    expect(h.requests).toHaveLength(1);

    h.users.set('1', { user_id: 1, name: 'Alice Renamed' });
    clock += 11_000;
    const stale = await dir.get(w, '1');
    expect(stale.user.name).toBe('Alice'); // served at once…
    await expect.poll(() => h.requests.length).toBe(2); // …while one refresh goes out
    await expect.poll(async () => (await dir.get(w, '1')).user.name).toBe('Alice Renamed');
    expect(h.requests).toHaveLength(2);
  });

  it('tells a user the host left out (missing) from a host that failed (unavailable)', async () => {
    const h = await host();
    const dir = new UsersDirectory({ hostAllowlist: TEST_HOST_ALLOWLIST, ttlMs: 60_000, timeoutMs: 1000, log: capturingLog().log });
    const w = widgetFor(h);
    expect(await dir.get(w, '404')).toEqual({ status: 'missing', user: { user_id: '404', name: 'User 404', avatar_url: null, profile_url: null } });
    h.mode = 'error500';
    expect((await dir.get(w, '405')).status).toBe('unavailable');
  });

  const failures: Array<[HostMode | 'down', RegExp]> = [
    ['down', /ECONNREFUSED/],
    ['slow', /no answer within 300 ms/],
    ['error500', /HTTP 500/],
    ['html', /not JSON/],
    ['wrong_shape', /not a JSON array/],
  ];
  it('treats a host refusing our credentials (401/403) as a misconfiguration: status refused, logged at error level', async () => {
    const h = await host();
    h.mode = 'unauthorized';
    const { log, lines } = capturingLog();
    const dir = new UsersDirectory({ hostAllowlist: TEST_HOST_ALLOWLIST, ttlMs: 60_000, timeoutMs: 300, log, failureRetryMs: 0 });
    const w = widgetFor(h);
    expect(await dir.get(w, '1')).toEqual({ status: 'refused', user: { user_id: '1', name: 'User 1', avatar_url: null, profile_url: null } });
    expect((await dir.verify(w, '2')).status).toBe('refused');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, dev_id: 'dev1', reason: expect.stringMatching(/HTTP 401/) });
    expect(lines[0].msg).toMatch(/widgets check/);
    expect(JSON.stringify(lines)).not.toContain(h.password);
    const probe = await dir.probe(w, ['1']);
    expect(probe).toMatchObject({ ok: false, refused: true, problem: expect.stringMatching(/HTTP 401/) });
  });

  for (const [mode, reason] of failures) {
    it(`falls back to placeholders when the host is ${mode}, logging the reason once per interval`, async () => {
      const h = await host();
      if (mode === 'down') await h.stop();
      else h.mode = mode;
      const { log, lines } = capturingLog();
      const dir = new UsersDirectory({ hostAllowlist: TEST_HOST_ALLOWLIST, ttlMs: 60_000, timeoutMs: 300, log, failureRetryMs: 0 });
      const w = widgetFor(h);
      const first = await dir.get(w, '1');
      expect(first).toEqual({ status: 'unavailable', user: { user_id: '1', name: 'User 1', avatar_url: null, profile_url: null } });
      await dir.get(w, '2');
      expect(lines).toHaveLength(1);
      expect(lines[0].reason).toMatch(reason);
      expect(lines[0].dev_id).toBe('dev1');
      expect(JSON.stringify(lines)).not.toContain(h.password);
    });
  }

  it('keeps serving what the host said before when a refresh fails', async () => {
    const h = await host();
    let clock = 0;
    const dir = new UsersDirectory({ hostAllowlist: TEST_HOST_ALLOWLIST, ttlMs: 1000, timeoutMs: 300, log: capturingLog().log, now: () => clock });
    const w = widgetFor(h);
    expect((await dir.get(w, '1')).user.name).toBe('Alice');
    h.mode = 'error500';
    clock += 5000;
    await dir.get(w, '1');
    await expect.poll(() => h.requests.length).toBe(2);
    clock += 5000;
    expect((await dir.get(w, '1')).user.name).toBe('Alice');
  });
});

describe('chat while the host fails', () => {
  for (const mode of ['down', 'slow', 'error500', 'html', 'wrong_shape'] as const) {
    it(`two users still exchange messages when the host is ${mode}`, async () => {
      env = await createEnv({ usersInfoTimeoutMs: 300 });
      const w = env.widgets[0]!;
      if (mode === 'down') await w.host.stop();
      else w.host.mode = mode;
      const alice = env.api(w, await w.token(1));
      const bob = env.api(w, await w.token(2));
      const meRes = await alice.get('/me');
      expect(meRes.body).toEqual({ user_id: '1', name: 'User 1', avatar_url: null, profile_url: null });
      const bobSocket = await env.ws(w, await w.token(2));
      const opened = await alice.post('/dialogs', { user_id: 2 });
      expect(opened.status).toBe(201);
      expect(opened.body.members.map((m: any) => m.name)).toEqual(['User 1', 'User 2']);
      const sent = await alice.post(`/dialogs/${opened.body.id}/messages`, { text: 'still here?', client_msg_id: 'm1' });
      expect(sent.status).toBe(201);
      expect((await bobSocket.next('message.new')).message.text).toBe('still here?');
      const list = await bob.get('/dialogs');
      expect(list.body.items[0].last_message.text).toBe('still here?');
    });
  }

  it('GET /me for a signed-in user the host leaves out answers 404 user_not_found, not a placeholder', async () => {
    env = await createEnv();
    const w = env.widgets[0]!;
    const res = await env.api(w, await w.token(999)).get('/me');
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'user_not_found', message: expect.stringContaining('"999"') });
    // Known users are unaffected.
    expect((await env.api(w, await w.token(1)).get('/me')).body.name).toBe('Alice');
  });

  it('a socket for a signed-in user the host leaves out is closed with 4504 user_not_found (do not reconnect)', async () => {
    env = await createEnv();
    const w = env.widgets[0]!;
    const socket = await connectWs(`${env.server.url.replace('http', 'ws')}/api/v1/${w.devId}/ws`, null);
    socket.send({ type: 'auth', token: await w.token(999) });
    expect(await socket.closed).toEqual({ code: 4504, reason: 'user_not_found' });
    expect(socket.frames.some((f) => f.type === 'ready')).toBe(false);
  });

  it('refuses to open a dialog with a user the host does not return', async () => {
    env = await createEnv();
    const w = env.widgets[0]!;
    const res = await env.api(w, await w.token(1)).post('/dialogs', { user_id: 999 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('user_not_found');
  });
});
