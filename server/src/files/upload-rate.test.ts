// Uploads count against the rate limits: the default `upload` bucket lets a handful through at
// once, refuses the next with 429 before its body is read, and refills; other users are not held
// back. Time is a ManualClock.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../limits/policy.ts';
import { setWidgetLimits } from '../limits/test-support.ts';
import { ManualClock } from '../testing/clock.ts';
import { type Env, createEnv } from '../testing/harness.ts';

let env: Env;
const clock = new ManualClock();
beforeAll(async () => {
  env = await createEnv({ clock });
  await setWidgetLimits(env, env.widgets[0]!, { upload: DEFAULT_RATE_LIMITS.upload });
});
afterAll(() => env.close());

async function upload(userId: number) {
  const w = env.widgets[0]!;
  const form = new FormData();
  form.append('file', new Blob(['plain words\n'], { type: 'text/plain' }), 'n.txt');
  return env.api(w, await w.token(userId)).raw('/uploads', { method: 'POST', body: form });
}

it('a burst of uploads gets 429 after the first ten, with Retry-After; another user still uploads; the bucket refills', async () => {
  const burst = DEFAULT_RATE_LIMITS.upload.user.burst;
  const results = [];
  for (let i = 0; i < burst + 3; i++) results.push(await upload(1));
  expect(results.map((r) => r.status)).toEqual([...Array(burst).fill(201), 429, 429, 429]);
  expect(results.at(-1)!.body.error.code).toBe('rate_limited');
  expect(Number(results.at(-1)!.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await upload(2)).status).toBe(201);
  clock.advance(1000 / DEFAULT_RATE_LIMITS.upload.user.perSecond);
  expect((await upload(1)).status).toBe(201);
});
