// The composition root's part: a server started with no rate-limit options applies the defaults,
// `rateLimits` changes them server-wide, and X-Forwarded-For counts only from IMBACHAT_TRUSTED_PROXIES.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { type StartOptions, startServer } from '../server.ts';
import { ManualClock } from '../testing/clock.ts';
import { type HostSite, startHostSite } from '../testing/host-site.ts';
import { TEST_HOST_ALLOWLIST, quietLog, sign } from '../testing/harness.ts';
import { parseCidrList } from './client-ip.ts';
import { DEFAULT_RATE_LIMITS } from './policy.ts';

const SECRET = 'k'.repeat(40);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The server as main.ts starts it: only what these tests name differs from production. */
async function boot(extra: Partial<StartOptions> = {}) {
  const clock = new ManualClock();
  const host: HostSite = await startHostSite([1, 2, 3, 4, 5].map((id) => ({ user_id: id, name: `U${id}` })));
  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-limits-'));
  const server = await startServer({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    log: quietLog,
    now: clock.now,
    hostAllowlist: TEST_HOST_ALLOWLIST,
    ...extra,
    prepare: async (store) => {
      await store.insertWidget(
        { devId: 'shop', name: 'Shop', secretKey: SECRET, apiLogin: host.login, apiPassword: host.password, usersInfoUrl: host.url, allowedOrigins: [], adminIds: [] },
        clock.now(),
      );
    },
  });
  cleanups.push(async () => {
    await server.close();
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const post = async (userId: number, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const token = await sign(SECRET, { user_id: userId, exp: Math.floor(clock.now() / 1000) + 3600 });
    const res = await fetch(`${server.url}/api/v1/shop${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { server, clock, post };
}

async function statuses(n: number, call: () => Promise<{ status: number }>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call()).status);
  return out;
}

it('a server started without rate-limit options applies the defaults: 30 sends at once, then 429', async () => {
  const { post } = await boot();
  const { body: dialog } = await post(1, '/dialogs', { user_id: 2 });
  const results = await statuses(DEFAULT_RATE_LIMITS.send.user.burst + 2, () => post(1, `/dialogs/${dialog.id}/messages`, { text: 'x' }));
  expect(results.filter((s) => s === 201)).toHaveLength(30);
  expect(results.slice(-2)).toEqual([429, 429]);
});

it('rateLimits changes the defaults server-wide, bucket by bucket', async () => {
  const { post } = await boot({ rateLimits: { send: { user: { burst: 2, perSecond: 1 } } } });
  const { body: dialog } = await post(1, '/dialogs', { user_id: 2 });
  expect(await statuses(3, () => post(1, `/dialogs/${dialog.id}/messages`, { text: 'x' }))).toEqual([201, 201, 429]);
});

it('behind a trusted proxy each client address has its own bucket; a client cannot pick one by writing X-Forwarded-For', async () => {
  const { post } = await boot({
    rateLimits: { send: { user: { burst: 100, perSecond: 1 }, ip: { burst: 2, perSecond: 1 } } },
    trustedProxies: parseCidrList('127.0.0.1/32'),
  });
  const { body: dialog } = await post(1, '/dialogs', { user_id: 2 });
  const via = (client: string, user = 1) => () => post(user, `/dialogs/${dialog.id}/messages`, { text: 'x' }, { 'x-forwarded-for': client });
  expect(await statuses(3, via('198.51.100.1'))).toEqual([201, 201, 429]);
  expect(await statuses(2, via('198.51.100.2', 2))).toEqual([201, 201]);
  // What stands left of the address the proxy saw was written by the client: it changes nothing.
  expect(await statuses(1, via('203.0.113.77, 198.51.100.1', 2))).toEqual([429]);
});
