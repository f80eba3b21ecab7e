// The Redis rate limiter: the token buckets of every node in one Redis, each take one Lua script,
// so the limits hold for the whole cluster rather than per node.
import type { Redis } from 'ioredis';
import { luaScript } from '../bus/redis-client.ts';
import { createMemoryRateLimiter } from './memory.ts';
import type { BucketRequest, Decision, RateLimiter } from './types.ts';

/**
 * How long past "full again" a bucket's key lives. A full bucket is the same as a new one, so the
 * key may go then; the second more covers the difference between the injected clock the levels
 * are computed on and Redis's clock the TTL runs on.
 */
const FULL_MARGIN_MS = 1_000;

/**
 * KEYS: the buckets, in request order (a key may repeat). ARGV: now, margin, then burst and
 * perSecond of each bucket. The same arithmetic as memory.ts, in the same order of operations, on
 * the same doubles: both limiters give the same answers to the millisecond. Levels are stored with
 * 17 significant digits, so they read back exactly. Returns {1} or {0, retryAfterMs, refused}.
 */
const takeScript = luaScript(`
local now = tonumber(ARGV[1])
local margin = tonumber(ARGV[2])
local EPSILON = 1e-9
local level, at, spec, order = {}, {}, {}, {}
local refused, wait = -1, 0
for i = 1, #KEYS do
  local k = KEYS[i]
  local burst = tonumber(ARGV[1 + 2 * i])
  local rate = tonumber(ARGV[2 + 2 * i])
  local l = level[k]
  if l == nil then
    local h = redis.call('HMGET', k, 't', 'a')
    if h[1] then
      local a0 = tonumber(h[2])
      l = math.min(burst, tonumber(h[1]) + (math.max(0, now - a0) * rate) / 1000)
      at[k] = math.max(now, a0)
    else
      l = burst
      at[k] = now
    end
    order[#order + 1] = k
  end
  if l < 1 - EPSILON then
    local ms = math.max(1, math.ceil(((1 - l) * 1000) / rate))
    if ms > wait then
      wait = ms
      refused = i - 1
    end
  end
  level[k] = l - 1
  spec[k] = { burst, rate }
end
if refused >= 0 then return { 0, wait, refused } end
for _, k in ipairs(order) do
  local tokens = math.max(0, level[k])
  redis.call('HSET', k, 't', string.format('%.17g', tokens), 'a', string.format('%.17g', at[k]))
  local s = spec[k]
  redis.call('PEXPIRE', k, string.format('%d', math.ceil(((s[1] - tokens) * 1000) / s[2]) + margin))
end
return { 1 }
`);

/**
 * Promises of limits/types.ts, across nodes: one take is one script, so concurrent takes from any
 * number of nodes never grant more than a bucket holds, and a take over several buckets is
 * all-or-nothing. Time is the injected clock's, passed in with every take (nodes with clocks a
 * little apart see a bucket a little fuller or emptier; a clock moving back refills nothing).
 * Limits: a bucket's key expires about when it is full again (forgetting only forgives); a
 * Redis restart (without persistence) forgets every bucket. A take sent again after a broken link
 * may count twice. While Redis cannot be reached (the link is down, or a take fails) each node
 * counts in its own memory, as without Redis: the limits hold per node, N nodes allow N times
 * them, and the buckets start full; neither refusing everyone nor failing every request, as
 * types.ts asks of a limiter under pressure. One Redis; Redis Cluster would need the keys of
 * one take in one slot.
 */
export function createRedisRateLimiter(o: {
  client: Redis;
  prefix: string;
  now: () => number;
  /** Told when a take fell back to this node's memory (Redis unreachable or failing). */
  onFallback?: (err: unknown) => void;
}): RateLimiter {
  const { client, prefix } = o;
  const local = createMemoryRateLimiter({ now: o.now });
  const fallBack = (buckets: BucketRequest[], err: unknown) => {
    o.onFallback?.(err);
    return local.take(buckets);
  };
  return {
    async take(buckets: BucketRequest[]): Promise<Decision> {
      if (buckets.length === 0) return { allowed: true };
      // Not queued behind a reconnect: a request must not wait a second for a limit.
      if (client.status !== 'ready') return fallBack(buckets, new Error(`the Redis connection is ${client.status}`));
      const keys = buckets.map((b) => `${prefix}rl:${b.key}`);
      const args: Array<string | number> = [String(o.now()), FULL_MARGIN_MS];
      for (const b of buckets) args.push(String(b.spec.burst), String(b.spec.perSecond));
      let reply: number[];
      try {
        reply = (await takeScript(client, keys, args)) as number[];
      } catch (err) {
        return fallBack(buckets, err);
      }
      const [allowed, retryAfterMs, refused] = reply;
      if (allowed === 1) return { allowed: true };
      return { allowed: false, retryAfterMs: retryAfterMs!, refused: refused! };
    },
    // The connection is the engines' to close (shared with the bus and presence).
    async close() {
      await local.close();
    },
  };
}
