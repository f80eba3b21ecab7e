// The in-process rate limiter: token buckets in one Map, in least-recently-used order, with no timers.
import type { BucketRequest, Decision, RateLimiter } from './types.ts';

/**
 * How many buckets one process tracks at most. A bucket costs about 150 bytes with its key, so the
 * cap holds the map near 15 MB however many users and addresses show up.
 */
export const DEFAULT_MAX_KEYS = 100_000;

/** How many of the least recently used buckets each take looks at for eviction: O(1) per call. */
const SWEEP_PER_TAKE = 4;

/** Float slack: a bucket refilled for exactly the announced wait must hold its token. */
const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  /** When `tokens` was measured: the latest clock reading seen, so a clock moving back refills nothing. */
  at: number;
  /** When the bucket is full again: from then on it is the same as a new one and may be dropped. */
  fullAt: number;
}

export interface MemoryRateLimiter extends RateLimiter {
  /** How many buckets are held right now (tests check the bounds with it). */
  trackedKeys(): number;
}

/**
 * Limits: counts per process. With several nodes each node allows the full rate, so N nodes
 * allow N times the limit overall (a shared limiter, such as Redis, is needed for exact limits);
 * a restart forgets every bucket. A bucket is dropped once it has refilled (it is then the same as
 * a new one), and beyond `maxKeys` the least recently used bucket is dropped even if it is not
 * full: under a flood of distinct keys the oldest debts are forgiven, memory stays bounded.
 */
export function createMemoryRateLimiter(o: { now: () => number; maxKeys?: number }): MemoryRateLimiter {
  const maxKeys = o.maxKeys ?? DEFAULT_MAX_KEYS;
  const buckets = new Map<string, Bucket>();

  const levelOf = (b: Bucket | undefined, burst: number, perSecond: number, now: number): number =>
    b ? Math.min(burst, b.tokens + (Math.max(0, now - b.at) * perSecond) / 1000) : burst;

  const sweep = (now: number) => {
    let looked = 0;
    for (const [key, b] of buckets) {
      if (buckets.size > maxKeys) {
        buckets.delete(key);
        continue;
      }
      if (looked++ >= SWEEP_PER_TAKE || b.fullAt > now) break;
      buckets.delete(key);
    }
  };

  return {
    async take(requests: BucketRequest[]): Promise<Decision> {
      const now = o.now();
      // Levels after this call's own takes, so a key named twice gives two tokens, not one twice.
      const after = new Map<string, { level: number; req: BucketRequest }>();
      let refused = -1;
      let wait = 0;
      requests.forEach((req, i) => {
        const { burst, perSecond } = req.spec;
        const level = after.get(req.key)?.level ?? levelOf(buckets.get(req.key), burst, perSecond, now);
        if (level < 1 - EPSILON) {
          const ms = Math.max(1, Math.ceil(((1 - level) * 1000) / perSecond));
          if (ms > wait) [wait, refused] = [ms, i];
        }
        after.set(req.key, { level: level - 1, req });
      });
      if (refused >= 0) return { allowed: false, retryAfterMs: wait, refused };
      for (const [key, { level, req }] of after) {
        const at = Math.max(now, buckets.get(key)?.at ?? now);
        const tokens = Math.max(0, level);
        buckets.delete(key); // re-inserted last: the Map's order is least recently used first
        buckets.set(key, { tokens, at, fullAt: at + ((req.spec.burst - tokens) * 1000) / req.spec.perSecond });
      }
      sweep(now);
      return { allowed: true };
    },
    trackedKeys: () => buckets.size,
    async close() {
      buckets.clear();
    },
  };
}
