// Several nodes publish to one bus, and a publish can overtake another: node A commits event N and
// node B commits N+1, but N+1 reaches the subscribers first. The socket must still get N, once,
// and a catch-up after a gap must still read it from the log. One node reproduces the race by
// holding back the publish of N until N+1 has gone out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../bus/types.ts';
import { type Env, createEnv, roundTrip, within } from '../testing/harness.ts';

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

describe('on PostgreSQL and Redis (the bus of several nodes is not ordered)', () => {
  let cluster: Env;
  beforeAll(async () => {
    // A short heartbeat: each beat, a socket behind the log's head reads it (SocketSession.settle).
    cluster = await createEnv({ engines: 'postgres+redis', heartbeatMs: 150 });
  });
  afterAll(() => cluster.close());

  it('an event whose publish never comes (its node died after the commit) reaches the open socket at the next heartbeat, once, followed by synced', async () => {
    const w = cluster.widgets[0]!;
    const alice = cluster.api(w, await w.token(1));
    const dialog = (await alice.post('/dialogs', { user_id: 2 })).body;
    const bob = await cluster.ws(w, await w.token(2));
    expect(bob.frames.find((f) => f.type === 'ready')).toMatchObject({ ordered: false });
    const bus = cluster.server.bus;
    const publish = bus.publish.bind(bus);
    bus.publish = async (topics, message) => {
      if (message.eventId === undefined) return publish(topics, message);
      bus.publish = publish; // this one is lost, as with a node killed between commit and publish
    };
    const sent = await alice.post(`/dialogs/${dialog.id}/messages`, { text: 'never published' });
    expect(sent.status).toBe(201);
    const frame = await within(bob.next('message.new'), 'the lost message, read from the log');
    expect(frame).toMatchObject({ event_id: expect.any(Number), message: { text: 'never published' } });
    const synced = await within(bob.next('synced'), 'synced after the read');
    expect((synced as { last_event_id: number }).last_event_id).toBeGreaterThanOrEqual((frame as { event_id: number }).event_id);
    // A later message goes out live; the one read from the log is not sent again.
    await alice.post(`/dialogs/${dialog.id}/messages`, { text: 'published' });
    await within(bob.next('message.new'), 'the next message, live');
    await roundTrip(bob);
    expect(bob.frames.filter((f) => f.type === 'message.new').map((f) => (f as { message: { text: string } }).message.text)).toEqual(['never published', 'published']);
  });

  it('a resume is answered with the replay, then synced at the head, so the client knows how far it may resume from next time', async () => {
    const w = cluster.widgets[0]!;
    const carl = cluster.api(w, await w.token(3));
    const dialog = (await carl.post('/dialogs', { user_id: 'x-9' })).body;
    const first = await cluster.ws(w, await w.token('x-9'));
    const from = (first.frames.find((f) => f.type === 'ready') as { last_event_id: number }).last_event_id;
    first.socket.close();
    await carl.post(`/dialogs/${dialog.id}/messages`, { text: 'while away' });
    const again = await cluster.ws(w, null);
    again.send({ type: 'auth', token: await w.token('x-9'), resume_from: from });
    const ready = await again.next('ready');
    expect(ready).toMatchObject({ resumed: true, ordered: false });
    const replayed = await again.next('message.new');
    expect(replayed).toMatchObject({ message: { text: 'while away' } });
    const synced = await again.next('synced');
    expect(synced).toEqual({ type: 'synced', last_event_id: (ready as { last_event_id: number }).last_event_id });
    expect(again.frames.map((f) => f.type).slice(0, 3)).toEqual(['ready', 'message.new', 'synced']);
  });
});
