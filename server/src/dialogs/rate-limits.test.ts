// Rate limits of opening dialogs (direct and group) over REST. Time is a ManualClock.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setWidgetLimits } from '../limits/test-support.ts';
import { ManualClock } from '../testing/clock.ts';
import { type Env, createEnv } from '../testing/harness.ts';

let env: Env;
const clock = new ManualClock();
beforeAll(async () => {
  env = await createEnv({ clock });
  await setWidgetLimits(env, env.widgets[0]!, { open_dialog: { user: { burst: 3, perSecond: 0.5 } } });
});
afterAll(() => env.close());

it('a user opening dialogs in a loop gets 429 with Retry-After after the burst, direct and group alike, and again after the wait', async () => {
  const w = env.widgets[0]!;
  const carl = env.api(w, await w.token(3));
  // Invalid requests take nothing: the limit counts work, not typing mistakes.
  for (let i = 0; i < 5; i++) expect((await carl.post('/dialogs', { user_id: '' })).status).toBe(400);
  expect((await carl.post('/dialogs', { user_id: 1 })).status).toBe(201);
  expect((await carl.post('/dialogs', { user_id: 1 })).status).toBe(200); // the same dialog again still counts
  expect((await carl.post('/dialogs', { type: 'group', title: 'Club', user_ids: [1, 2] })).status).toBe(201);
  const refused = await carl.post('/dialogs', { type: 'group', title: 'Club 2', user_ids: [1, 2] });
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('2');
  expect(refused.body).toEqual({ error: { code: 'rate_limited', message: 'Too many dialogs opened from you in a short time: try again in 2 s.' } });
  // Another user of the widget is not held back by carl's loop.
  const bob = env.api(w, await w.token(2));
  expect((await bob.post('/dialogs', { user_id: 1 })).status).toBe(201);
  clock.advance(2000);
  expect((await carl.post('/dialogs', { user_id: 2 })).status).toBe(201);
  expect((await carl.post('/dialogs', { user_id: 2 })).status).toBe(429);
});

it('group changes take from the send bucket (each writes a message into the dialog), mute from the read bucket', async () => {
  const w = env.widgets[0]!;
  await setWidgetLimits(env, w, { send: { user: { burst: 2, perSecond: 0.5 } }, read: { user: { burst: 1, perSecond: 0.5 } } });
  try {
    const owner = env.api(w, await w.token('x-9'));
    const { body: g } = await owner.post('/dialogs', { type: 'group', title: 'Busy', user_ids: [1, 2] });
    expect((await owner.patch(`/dialogs/${g.id}`, { title: 'Busier' })).status).toBe(200);
    expect((await owner.post(`/dialogs/${g.id}/messages`, { text: 'hi' })).status).toBe(201);
    const refused = await owner.put(`/dialogs/${g.id}/members/2/role`, { role: 'admin' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect((await owner.get(`/dialogs/${g.id}`)).body.members_state.find((m: any) => m.user_id === '2').role).toBe('member');
    expect((await owner.put(`/dialogs/${g.id}/mute`, { muted: true })).status).toBe(200);
    expect((await owner.put(`/dialogs/${g.id}/mute`, { muted: false })).status).toBe(429);
    clock.advance(2000);
    expect((await owner.put(`/dialogs/${g.id}/members/2/role`, { role: 'admin' })).status).toBe(200);
  } finally {
    await setWidgetLimits(env, w, null);
  }
});
