// The choice of engines for the short-lived state: with a Redis URL the event bus, presence, typing
// and rate limits of every node meet in Redis; without one they live in this process (one node).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createMemoryBus } from './bus/memory.ts';
import { openRedisBus } from './bus/redis.ts';
import { connectRedis, describeRedisUrl } from './bus/redis-client.ts';
import type { EventBus } from './bus/types.ts';
import { createMemoryRateLimiter } from './limits/memory.ts';
import { createRedisRateLimiter } from './limits/redis.ts';
import type { RateLimiter } from './limits/types.ts';
import { createMemoryPresence, createMemoryTyping } from './presence/memory.ts';
import { createRedisPresence } from './presence/redis.ts';
import { createRedisTyping } from './presence/redis-typing.ts';
import type { PresenceStore, TypingStore } from './presence/types.ts';
import type { Timers } from './util/timers.ts';

/** Put before every Redis key and channel; a different one lets deployments share a Redis. */
export const DEFAULT_REDIS_PREFIX = 'imbachat:';
/** The rate limiter's fallback to per-node counting is logged at most this often. */
const FALLBACK_WARN_EVERY_MS = 60_000;

export interface EngineOptions {
  /** REDIS_URL: redis:// or rediss://; absent, everything stays in process. */
  redisUrl?: string;
  redisPrefix?: string;
  /** How long the start waits for Redis (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  graceMs: number;
  timers: Timers;
  now: () => number;
  log: Logger;
  /** A limiter of the caller's own (tests); otherwise the engine's. */
  rateLimiter?: RateLimiter;
}

export interface Engines {
  kind: 'memory' | 'redis';
  bus: EventBus;
  presence: PresenceStore;
  typing: TypingStore;
  limiter: RateLimiter;
  /** Closes what the parts share (the Redis connection), after each part was closed by its user. */
  close(): Promise<void>;
}

export async function openEngines(o: EngineOptions): Promise<Engines> {
  const onHandlerError = (err: unknown) => o.log.error({ err }, 'event handler failed');
  if (!o.redisUrl) {
    return {
      kind: 'memory',
      bus: createMemoryBus(onHandlerError),
      presence: createMemoryPresence({ graceMs: o.graceMs, timers: o.timers }),
      typing: createMemoryTyping({ timers: o.timers }),
      limiter: o.rateLimiter ?? createMemoryRateLimiter({ now: o.now }),
      close: async () => {},
    };
  }
  const where = describeRedisUrl(o.redisUrl);
  const prefix = o.redisPrefix ?? DEFAULT_REDIS_PREFIX;
  const client = await connectRedis(o.redisUrl, 'imbachat', o.connectTimeoutMs);
  // Each failed reconnect attempt errors; the link events below are what a deployer reads.
  client.on('error', (err) => o.log.debug({ err, redis: where }, 'Redis connection error'));
  let bus: EventBus;
  try {
    bus = await openRedisBus({
      client,
      prefix,
      onHandlerError,
      onLink: (event, what) =>
        event === 'lost'
          ? o.log.warn({ redis: where, connection: what }, 'lost the Redis connection; reconnecting (clients resync when it is back)')
          : o.log.info({ redis: where, connection: what }, 'Redis connection restored'),
    });
  } catch (err) {
    client.disconnect();
    throw err;
  }
  o.log.info({ redis: where, prefix }, 'bus, presence, typing and rate limits on Redis');
  let warnedAt = -Infinity;
  const onFallback = (err: unknown) => {
    // Once per outage-sized spell, not once per request.
    if (Date.now() - warnedAt < FALLBACK_WARN_EVERY_MS) return;
    warnedAt = Date.now();
    o.log.warn({ err, redis: where }, 'rate limits are counted per node while Redis is unreachable');
  };
  return {
    kind: 'redis',
    bus,
    presence: createRedisPresence({ client, prefix, graceMs: o.graceMs, timers: o.timers }),
    typing: createRedisTyping({ client, prefix, timers: o.timers }),
    limiter: o.rateLimiter ?? createRedisRateLimiter({ client, prefix, now: o.now, onFallback }),
    close: () => quit(client),
  };
}

/** QUIT lets replies in flight arrive; a Redis that is gone gets a plain disconnect. */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return client.disconnect();
  await client.quit().catch(() => client.disconnect());
}
