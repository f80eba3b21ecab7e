// The RateLimiter contract suite: the promises of limits/types.ts that every implementation (in
// process today, Redis later) must keep. Each implementation's test file calls it once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BucketSpec, RateLimiter } from './types.ts';

export interface LimiterUnderTest {
  limiter: RateLimiter;
  cleanup: () => Promise<void>;
}

/** The limiter must read the time from `now` only: the suite moves it by hand, never sleeps. */
export type OpenLimiter = (now: () => number) => Promise<LimiterUnderTest>;

// Far from the wall clock, so an implementation reading Date.now() fails here.
const START_MS = Date.UTC(2031, 0, 1);
let counter = 0;
/** Keys unique per test, so a shared backend keeps no state from one test to the next. */
const key = (name: string) => `contract:${process.pid}:${++counter}:${Math.random().toString(36).slice(2, 8)}:${name}`;

export function rateLimiterContract(name: string, open: OpenLimiter) {
  describe(`RateLimiter contract: ${name}`, () => {
    let t = START_MS;
    let under: LimiterUnderTest;
    const take = (k: string, spec: BucketSpec) => under.limiter.take([{ key: k, spec }]);
    const takeN = async (k: string, spec: BucketSpec, n: number) => {
      let granted = 0;
      for (let i = 0; i < n; i++) if ((await take(k, spec)).allowed) granted++;
      return granted;
    };

    beforeEach(async () => {
      t = START_MS;
      under = await open(() => t);
    });
    afterEach(() => under.cleanup());

    it('a new key allows a full burst at once, then refuses', async () => {
      const k = key('burst');
      expect(await takeN(k, { burst: 5, perSecond: 1 }, 5)).toBe(5);
      expect(await take(k, { burst: 5, perSecond: 1 })).toMatchObject({ allowed: false, refused: 0 });
    });

    it('a refusal says how long to wait, and after exactly that wait one more is allowed', async () => {
      const k = key('wait');
      const spec = { burst: 2, perSecond: 4 };
      await takeN(k, spec, 2);
      const refused = await take(k, spec);
      expect(refused).toEqual({ allowed: false, retryAfterMs: 250, refused: 0 });
      t += 249;
      expect((await take(k, spec)).allowed).toBe(false);
      t += 1;
      expect((await take(k, spec)).allowed).toBe(true);
      expect((await take(k, spec)).allowed).toBe(false);
    });

    it('a slow refill is announced in whole waits: half a token per second means 2 s', async () => {
      const k = key('slow');
      const spec = { burst: 1, perSecond: 0.5 };
      await take(k, spec);
      expect(await take(k, spec)).toMatchObject({ allowed: false, retryAfterMs: 2000 });
      t += 1000;
      expect(await take(k, spec)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    });

    it('refills at the rate, never beyond the burst, however long the key stays idle', async () => {
      const k = key('refill');
      const spec = { burst: 3, perSecond: 2 };
      await takeN(k, spec, 3);
      t += 1000;
      expect(await takeN(k, spec, 5)).toBe(2);
      t += 3_600_000;
      expect(await takeN(k, spec, 10)).toBe(3);
    });

    it('is all-or-nothing: when one bucket is empty the others keep their tokens', async () => {
      const [a, b] = [key('a'), key('b')];
      const roomy = { burst: 10, perSecond: 1 };
      const tight = { burst: 1, perSecond: 1 };
      expect((await under.limiter.take([{ key: a, spec: roomy }, { key: b, spec: tight }])).allowed).toBe(true);
      for (let i = 0; i < 5; i++) {
        expect(await under.limiter.take([{ key: a, spec: roomy }, { key: b, spec: tight }])).toMatchObject({ allowed: false, refused: 1 });
      }
      // Only the first, granted take came out of a: nine left.
      expect(await takeN(a, roomy, 20)).toBe(9);
    });

    it('a refusal names the bucket that waits longest', async () => {
      const [a, b] = [key('a'), key('b')];
      await take(a, { burst: 1, perSecond: 10 });
      await take(b, { burst: 1, perSecond: 1 });
      expect(await under.limiter.take([{ key: a, spec: { burst: 1, perSecond: 10 } }, { key: b, spec: { burst: 1, perSecond: 1 } }])).toEqual({
        allowed: false,
        retryAfterMs: 1000,
        refused: 1,
      });
    });

    it('keys are independent, also keys that differ only in case or by a prefix', async () => {
      const k = key('User');
      const spec = { burst: 1, perSecond: 1 };
      await take(k, spec);
      expect((await take(k, spec)).allowed).toBe(false);
      for (const other of [k.toLowerCase(), `${k}x`, k.slice(0, -1)]) expect((await take(other, spec)).allowed).toBe(true);
    });

    it('a key named twice in one take gives two tokens', async () => {
      const k = key('twice');
      const spec = { burst: 3, perSecond: 1 };
      expect((await under.limiter.take([{ key: k, spec }, { key: k, spec }])).allowed).toBe(true);
      expect(await takeN(k, spec, 3)).toBe(1);
    });

    it('a lowered burst applies at the next call; a raised one fills up by refilling', async () => {
      const k = key('changed');
      await take(k, { burst: 10, perSecond: 1 });
      expect(await takeN(k, { burst: 2, perSecond: 1 }, 5)).toBe(2);
      expect(await takeN(k, { burst: 50, perSecond: 1 }, 5)).toBe(0);
      t += 4000;
      expect(await takeN(k, { burst: 50, perSecond: 1 }, 10)).toBe(4);
    });

    it('a clock that moves back refills nothing and takes nothing away', async () => {
      const k = key('back');
      const spec = { burst: 2, perSecond: 1 };
      await take(k, spec);
      t -= 60_000;
      expect(await takeN(k, spec, 3)).toBe(1);
      // Back to where it was: the minute it went back is not counted as refill either.
      t += 60_000;
      expect((await take(k, spec)).allowed).toBe(false);
      t += 1000;
      expect((await take(k, spec)).allowed).toBe(true);
    });

    it('concurrent takes on one key grant exactly the burst', async () => {
      const k = key('race');
      const spec = { burst: 25, perSecond: 1 };
      const results = await Promise.all(Array.from({ length: 200 }, () => take(k, spec)));
      expect(results.filter((r) => r.allowed)).toHaveLength(25);
    });
  });
}
