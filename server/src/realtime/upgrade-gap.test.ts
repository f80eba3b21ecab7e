// A client sends its auth frame the moment the socket opens; the server checks the widget and the
// address's connect bucket first, which on PostgreSQL or Redis takes a round trip. The frame must
// wait for the session, not be read into nothing (the socket then closed with 4002 auth_timeout).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../limits/memory.ts';
import type { RateLimiter } from '../limits/types.ts';
import { type Env, connectWs, createEnv } from '../testing/harness.ts';

let env: Env;
beforeAll(async () => {
  const memory = createMemoryRateLimiter({ now: Date.now });
  // The in-process limiter with a remote one's latency: every answer 50 ms late.
  const remote: RateLimiter = {
    take: async (buckets) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return memory.take(buckets);
    },
    close: () => memory.close(),
  };
  env = await createEnv({ rateLimiter: remote, authTimeoutMs: 3_000 });
});
afterAll(() => env.close());

it('an auth frame sent the moment the socket opens is answered with ready, however long the connect checks take', async () => {
  const w = env.widgets[0]!;
  const c = await connectWs(`${env.server.url.replace('http', 'ws')}/api/v1/${w.devId}/ws`, null);
  c.send({ type: 'auth', token: await w.token(1) });
  const ready = await c.next('ready');
  expect(ready.user).toMatchObject({ user_id: '1' });
  c.close();
});
