// The engine selection: REDIS_URL is checked at config time without ever repeating its password; a
// server started with it carries messages, presence and typing through Redis and leaves nothing
// subscribed when it stops; an unreachable Redis stops the start with a plain reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectTestRedis, describeWithRedis, TEST_REDIS_URL } from './bus/redis-test-support.ts';
import { userTopic } from './bus/types.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openEngines } from './engines.ts';
import { createMemoryRateLimiter } from './limits/memory.ts';
import { UNMET_RATE_LIMITS } from './limits/test-support.ts';
import { startServer } from './server.ts';
import type { WidgetRow } from './store/types.ts';
import { DEFAULT_USERS, TEST_HOST_ALLOWLIST, connectWs, quietLog, sign } from './testing/harness.ts';
import { startHostSite } from './testing/host-site.ts';
import { realTimers } from './util/timers.ts';
import { generateSecretKey } from './widgets/service.ts';

const SECRET = 's3cret-never-shown';

/** The message loadConfig throws, asserted outside any catch so that not throwing fails too. */
function configError(env: Record<string, string>): string {
  let message = '';
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    message = (err as Error).message;
  }
  return message;
}

describe('REDIS_URL in the configuration', () => {
  it('accepts redis:// and rediss:// with a database number, and treats unset or empty as in-process', () => {
    for (const url of [`redis://:${SECRET}@cache.internal:6379`, `rediss://app:${SECRET}@cache.internal/2`, 'redis://127.0.0.1']) {
      expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
    }
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(loadConfig({ IMBACHAT_REDIS_PREFIX: 'chat-eu:' }).redisPrefix).toBe('chat-eu:');
  });

  it('refuses another scheme, a non-URL or a path, naming the variable and never the password', () => {
    for (const url of [`http://:${SECRET}@cache.internal`, `${SECRET} at cache.internal`, `${SECRET}:x@y`, `redis://:${SECRET}@cache.internal/keys`]) {
      const message = configError({ REDIS_URL: url });
      expect(message).toMatch(/^Invalid environment: REDIS_URL: REDIS_URL /);
      expect(message).not.toContain(SECRET);
    }
    expect(configError({ IMBACHAT_REDIS_PREFIX: 'a b' })).toMatch(/IMBACHAT_REDIS_PREFIX must be/);
  });
});

it('an unreachable Redis stops the start, saying where it was expected and not the password', async () => {
  let message = '';
  await openEngines({
    redisUrl: `redis://app:${SECRET}@127.0.0.1:1/0`,
    connectTimeoutMs: 300,
    graceMs: 1000,
    timers: realTimers,
    now: Date.now,
    log: quietLog,
  }).catch((err: Error) => (message = err.message));
  expect(message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1\/0 is not reachable/);
  expect(message).not.toContain(SECRET);
});

await describeWithRedis('a server on the Redis engines', (prefix) => {
  it('a Redis URL puts the rate limits in Redis too', async () => {
    const redis = await connectTestRedis();
    const engines = await openEngines({ redisUrl: TEST_REDIS_URL, redisPrefix: prefix, graceMs: 1000, timers: realTimers, now: Date.now, log: quietLog });
    try {
      expect(engines.kind).toBe('redis');
      expect(await engines.limiter.take([{ key: 'selection', spec: { burst: 2, perSecond: 1 } }])).toEqual({ allowed: true });
      expect(await redis.exists(`${prefix}rl:selection`)).toBe(1);
    } finally {
      await engines.bus.close();
      await engines.close();
      redis.disconnect();
    }
  });

  it('carries messages, presence and typing through Redis, and leaves nothing subscribed', async () => {
    const redis = await connectTestRedis();
    const host = await startHostSite(DEFAULT_USERS);
    const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-engines-'));
    const secret = generateSecretKey();
    let widget!: WidgetRow;
    const server = await startServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      log: quietLog,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: prefix,
      hostAllowlist: TEST_HOST_ALLOWLIST,
      rateLimits: UNMET_RATE_LIMITS,
      // In memory here: realtime/ws.ts attaches a socket's session only after the per-address
      // take, and drops frames that arrive sooner; a Redis round trip there loses the auth frame
      // now and then (reported; the limits' own tests and the one above cover Redis).
      rateLimiter: createMemoryRateLimiter({ now: Date.now }),
      prepare: async (store) => {
        widget = await store.insertWidget(
          { devId: `redis-${Date.now()}`, name: 'Redis', secretKey: secret, apiLogin: host.login, apiPassword: host.password, usersInfoUrl: host.url, allowedOrigins: [], adminIds: [] },
          Date.now(),
        );
      },
    });
    try {
      const token = (userId: number) => sign(secret, { user_id: userId, exp: Math.floor(Date.now() / 1000) + 3600 });
      const post = async (userId: number, path: string, body: unknown) =>
        (
          await fetch(`${server.url}/api/v1/${widget.devId}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${await token(userId)}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).json() as Promise<any>;
      const ws = async (userId: number) => {
        const c = await connectWs(`${server.url.replace('http', 'ws')}/api/v1/${widget.devId}/ws`, null);
        c.send({ type: 'auth', token: await token(userId) });
        // A close instead of ready fails with its code and reason.
        const ended = c.closed.then((x) => Promise.reject(new Error(`user ${userId}'s socket closed: ${JSON.stringify(x)} ${JSON.stringify(c.frames)}`)));
        ended.catch(() => {});
        await Promise.race([c.next('ready'), ended]);
        return c;
      };

      const dialog = await post(1, '/dialogs', { user_id: 2 });
      const alice = await ws(1);
      const bob = await ws(2);
      expect(await alice.next('presence')).toMatchObject({ user_id: '2', online: true });
      // Bob's connections are a subscription in Redis, and his presence a registration there.
      const bobChannel = prefix + userTopic(widget.id, '2');
      expect(await redis.pubsub('NUMSUB', bobChannel)).toEqual([bobChannel, 1]);
      expect(await redis.zcard(`${prefix}pc:${widget.id}:2`)).toBe(1);

      alice.send({ type: 'typing.start', dialog_id: dialog.id });
      expect(await bob.next('typing.start')).toMatchObject({ dialog_id: dialog.id, user_id: '1' });
      const sent = await post(1, `/dialogs/${dialog.id}/messages`, { text: 'through Redis', client_msg_id: 'r-1' });
      expect((await bob.next('message.new')).message).toEqual(sent);

      alice.close();
      bob.close();
    } finally {
      await server.close();
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(await redis.pubsub('NUMSUB', `${prefix}gap`)).toEqual([`${prefix}gap`, 0]);
    redis.disconnect();
  });
});
