// Runs the RateLimiter contract against the in-process limiter, and checks its memory bounds.
import { expect, it } from 'vitest';
import { rateLimiterContract } from './contract.ts';
import { createMemoryRateLimiter } from './memory.ts';

rateLimiterContract('memory', async (now) => {
  const limiter = createMemoryRateLimiter({ now });
  return { limiter, cleanup: () => limiter.close() };
});

const spec = { burst: 2, perSecond: 1 };

it('idle buckets are dropped once they have refilled, so quiet users cost no memory', async () => {
  let t = 0;
  const limiter = createMemoryRateLimiter({ now: () => t });
  for (let i = 0; i < 1000; i++) await limiter.take([{ key: `user-${i}`, spec }]);
  expect(limiter.trackedKeys()).toBe(1000);
  t += 1000; // one second: every bucket is full again (it gave one token of two)
  for (let i = 0; i < 1000; i++) await limiter.take([{ key: `other-${i}`, spec }]);
  expect(limiter.trackedKeys()).toBe(1000);
});

it('a flood of distinct keys never holds more than the cap, and a forgotten key starts full', async () => {
  const limiter = createMemoryRateLimiter({ now: () => 0, maxKeys: 100 });
  await limiter.take([{ key: 'victim', spec }]);
  await limiter.take([{ key: 'victim', spec }]);
  expect((await limiter.take([{ key: 'victim', spec }])).allowed).toBe(false);
  for (let i = 0; i < 10_000; i++) {
    await limiter.take([{ key: `flood-${i}`, spec }]);
    expect(limiter.trackedKeys()).toBeLessThanOrEqual(100);
  }
  expect((await limiter.take([{ key: 'victim', spec }])).allowed).toBe(true);
});

it('the least recently used bucket is the one forgotten at the cap', async () => {
  const limiter = createMemoryRateLimiter({ now: () => 0, maxKeys: 3 });
  const empty = async (k: string) => {
    while ((await limiter.take([{ key: k, spec }])).allowed);
  };
  await empty('a');
  await empty('b');
  await empty('c');
  await empty('a'); // refused at once: a refusal changes nothing, so a stays the oldest
  await limiter.take([{ key: 'd', spec }]);
  expect((await limiter.take([{ key: 'b', spec }])).allowed).toBe(false);
  expect((await limiter.take([{ key: 'a', spec }])).allowed).toBe(true);
});
