// Several nodes publish to one bus, and a publish can overtake another: node A commits event N and
// node B commits N+1, but N+1 reaches the subscribers first. The socket must still get N, once,
// and a catch-up after a gap must still read it from the log. One node reproduces the race by
// holding back the publish of N until N+1 has gone out.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusMessage } from '../bus/types.ts';
import { type Env, createEnv, roundTrip } from '../testing/harness.ts';

let env: Env;
beforeAll(async () => {
  env = await createEnv();
});
afterAll(() => env.close());

/** Holds the next publish of an event until one with a higher position has been published. */
function overtakeNextEvent() {
  const bus = env.server.bus;
  const publish = bus.publish.bind(bus);
  let held: { topics: readonly string[]; message: BusMessage; release: () => void } | null = null;
  bus.publish = async (topics, message) => {
    if (message.eventId === undefined) return publish(topics, message);
    if (!held) {
      return new Promise<void>((release) => {
        held = { topics, message, release };
      });
    }
    await publish(topics, message);
    const late = held;
    bus.publish = publish;
    await publish(late.topics, late.message);
    late.release();
  };
}

it('an event whose publish is overtaken by a later one still reaches the socket, once', async () => {
  const w = env.widgets[0]!;
  const alice = env.api(w, await w.token(1));
  const dialog = (await alice.post('/dialogs', { user_id: 2 })).body;
  const bob = await env.ws(w, await w.token(2));
  overtakeNextEvent();
  const [first, second] = await Promise.all([
    alice.post(`/dialogs/${dialog.id}/messages`, { text: 'first', client_msg_id: 'late-1' }),
    alice.post(`/dialogs/${dialog.id}/messages`, { text: 'second', client_msg_id: 'late-2' }),
  ]);
  expect([first.status, second.status]).toEqual([201, 201]);
  await bob.next('message.new');
  await bob.next('message.new');
  await roundTrip(bob);
  const got = bob.frames.filter((f) => f.type === 'message.new').map((f) => (f as { message: { text: string } }).message.text);
  expect(got.sort()).toEqual(['first', 'second']);
});
