// Runs the RateLimiter contract against the Redis limiter, then what only a shared limiter has:
// nodes taking from the same buckets, keys that go once full, and a Redis that restarts.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { connectTestRedis, describeWithRedis, startPrivateRedis, startTcpHop } from '../bus/redis-test-support.ts';
import { rateLimiterContract } from './contract.ts';
import { createRedisRateLimiter } from './redis.ts';
import type { BucketSpec } from './types.ts';

const T0 = Date.UTC(2031, 0, 1);
let n = 0;
const key = (what: string) => `${what}-${++n}-${Math.random().toString(36).slice(2, 8)}`;

await describeWithRedis('Redis rate limiter', (prefix) => {
  rateLimiterContract('Redis', async (now) => {
    const client = await connectTestRedis();
    return { limiter: createRedisRateLimiter({ client, prefix, now }), cleanup: async () => client.disconnect() };
  });

  describe('between nodes', () => {
    const clients: Redis[] = [];
    let t = T0;
    const node = async (url?: string) => {
      const client = await connectTestRedis('imbachat-test-node', url);
      clients.push(client);
      const fallbacks: unknown[] = [];
      return { client, fallbacks, limiter: createRedisRateLimiter({ client, prefix, now: () => t, onFallback: (err) => fallbacks.push(err) }) };
    };
    afterEach(() => {
      t = T0;
      for (const c of clients.splice(0)) c.disconnect();
    });

    it('two nodes take from the same buckets, and together never get more than the burst', async () => {
      const [a, b] = [await node(), await node()];
      const spec: BucketSpec = { burst: 30, perSecond: 1 };
      const k = key('shared');
      const takes = Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).limiter.take([{ key: k, spec }]));
      const granted = (await Promise.all(takes)).filter((d) => d.allowed).length;
      expect(granted).toBe(30);
      t += 1000;
      expect(await b.limiter.take([{ key: k, spec }])).toEqual({ allowed: true });
      expect(await a.limiter.take([{ key: k, spec }])).toEqual({ allowed: false, retryAfterMs: 1000, refused: 0 });
    });

    it('a take over two buckets held by different callers is all-or-nothing across nodes', async () => {
      const [a, b] = [await node(), await node()];
      const [user, ip] = [key('user'), key('ip')];
      const tight = { burst: 1, perSecond: 1 };
      const roomy = { burst: 5, perSecond: 1 };
      expect((await b.limiter.take([{ key: ip, spec: tight }])).allowed).toBe(true);
      expect(await a.limiter.take([{ key: user, spec: roomy }, { key: ip, spec: tight }])).toMatchObject({ allowed: false, refused: 1 });
      // The refusal took nothing from the user's bucket.
      let left = 0;
      while ((await b.limiter.take([{ key: user, spec: roomy }])).allowed) left++;
      expect(left).toBe(5);
    });

    it('a bucket’s key lives until it is full again (plus a second), and not longer', async () => {
      const { client, limiter } = await node();
      const k = key('ttl');
      await limiter.take([{ key: k, spec: { burst: 4, perSecond: 2 } }]);
      const ttl = await client.pttl(`${prefix}rl:${k}`);
      // One token short: full in 500 ms by the clock the levels use.
      expect(ttl).toBeGreaterThan(1_000);
      expect(ttl).toBeLessThanOrEqual(1_500);
    });

    it('after Redis restarts empty, takes work in Redis again and every bucket starts full', async () => {
      const redis = await startPrivateRedis();
      try {
        const { client, fallbacks, limiter } = await node(redis.url);
        const k = key('restart');
        const spec = { burst: 1, perSecond: 0.001 };
        expect((await limiter.take([{ key: k, spec }])).allowed).toBe(true);
        expect((await limiter.take([{ key: k, spec }])).allowed).toBe(false);
        await redis.kill();
        await redis.start();
        await expect.poll(() => client.status, { timeout: 5_000 }).toBe('ready');
        // The script went with the restart: this take loads it again, in Redis, not in memory.
        const before = fallbacks.length;
        expect((await limiter.take([{ key: k, spec }])).allowed).toBe(true);
        expect((await limiter.take([{ key: k, spec }])).allowed).toBe(false);
        expect(fallbacks.length).toBe(before);
        expect(await client.exists(`${prefix}rl:${k}`)).toBe(1);
      } finally {
        await redis.kill();
      }
    });

    it('while Redis is unreachable each node counts on its own, at once, and goes back to Redis after', async () => {
      const hop = await startTcpHop();
      try {
        const { client, fallbacks, limiter } = await node(hop.url);
        const k = key('outage');
        const spec = { burst: 2, perSecond: 0.001 };
        expect((await limiter.take([{ key: k, spec }])).allowed).toBe(true); // in Redis: one left there
        hop.block();
        await expect.poll(() => client.status).not.toBe('ready');
        // This node's own buckets start full, and still limit.
        expect(await Promise.all([1, 2, 3].map(() => limiter.take([{ key: k, spec }])))).toMatchObject([{ allowed: true }, { allowed: true }, { allowed: false }]);
        expect(fallbacks).toHaveLength(3);
        hop.unblock();
        await expect.poll(() => client.status, { timeout: 5_000 }).toBe('ready');
        expect(await limiter.take([{ key: k, spec }])).toEqual({ allowed: true });
        expect((await limiter.take([{ key: k, spec }])).allowed).toBe(false);
        expect(fallbacks).toHaveLength(3);
      } finally {
        await hop.close();
      }
    });
  });
});
