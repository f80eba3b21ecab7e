// The EventBus contract suite: the promises of bus/types.ts that every implementation (in-process
// today, Redis later) must keep. Each implementation's test file calls busContract once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BusMessage, type EventBus, userTopic } from './types.ts';

/** `cleanup` runs after every test, also after one that closed the bus itself. */
export interface BusUnderTest {
  bus: EventBus;
  cleanup: () => Promise<void>;
}

/** `onHandlerError` is where the implementation must report a handler that threw. */
export type OpenBus = (hooks: { onHandlerError: (err: unknown) => void }) => Promise<BusUnderTest>;

// A networked bus delivers after publish resolves, so arrivals are awaited, never assumed.
const ARRIVAL_TIMEOUT_MS = 2_000;
// How long "nothing more arrives" is watched for, where no later marker can prove it.
const QUIET_MS = 60;

let seq = 0;
const uniqueTopic = () => userTopic(1 + (seq % 7), `user-${++seq}-${Math.random().toString(36).slice(2, 8)}`);
const msg = (frame: string, extra: Partial<BusMessage> = {}): BusMessage => ({ frame, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A handler that records what reached it and lets a test await a given frame. */
function recorder() {
  const got: Array<{ topic: string; message: BusMessage }> = [];
  const waiters: Array<{ frame: string; resolve: () => void }> = [];
  const handler = (topic: string, message: BusMessage) => {
    got.push({ topic, message });
    for (const w of waiters.filter((w) => w.frame === message.frame)) w.resolve();
  };
  const arrival = (frame: string) =>
    new Promise<void>((resolve, reject) => {
      if (got.some((g) => g.message.frame === frame)) return resolve();
      const timer = setTimeout(() => reject(new Error(`frame ${frame} did not arrive`)), ARRIVAL_TIMEOUT_MS);
      waiters.push({ frame, resolve: () => (clearTimeout(timer), resolve()) });
    });
  const frames = () => got.map((g) => g.message.frame);
  return { handler, got, arrival, frames };
}

export function busContract(name: string, open: OpenBus) {
  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;
    let cleanup: () => Promise<void>;
    let handlerErrors: unknown[];

    beforeEach(async () => {
      handlerErrors = [];
      ({ bus, cleanup } = await open({ onHandlerError: (err) => handlerErrors.push(err) }));
    });
    afterEach(async () => {
      await cleanup();
    });

    it('a message published after subscribe resolves reaches the handler once, as sent', async () => {
      const topic = uniqueTopic();
      const r = recorder();
      await bus.subscribe(topic, r.handler);
      const sent = msg('{"type":"message.new"}', { eventId: 42, receipt: { dialogId: 7, seq: 3, senderId: 'alice' }, committedAt: 1_700_000_000_123 });
      await bus.publish([topic], sent);
      await r.arrival(sent.frame);
      // A later marker on the same topic arrives after any redelivery of the first one would have.
      await bus.publish([topic], msg('marker'));
      await r.arrival('marker');
      expect(r.got).toEqual([
        { topic, message: sent },
        { topic, message: msg('marker') },
      ]);
    });

    it('a message published before subscribing is not delivered later', async () => {
      const topic = uniqueTopic();
      await bus.publish([topic], msg('early'));
      const r = recorder();
      await bus.subscribe(topic, r.handler);
      await bus.publish([topic], msg('late'));
      await r.arrival('late');
      expect(r.frames()).toEqual(['late']);
    });

    it('nothing reaches a handler after its unsubscribe resolves', async () => {
      const topic = uniqueTopic();
      const gone = recorder();
      const stays = recorder();
      const unsubscribe = await bus.subscribe(topic, gone.handler);
      await bus.subscribe(topic, stays.handler);
      await bus.publish([topic], msg('before'));
      await gone.arrival('before');
      await unsubscribe();
      await bus.publish([topic], msg('after'));
      await stays.arrival('after');
      await sleep(QUIET_MS);
      expect(gone.frames()).toEqual(['before']);
      expect(stays.frames()).toEqual(['before', 'after']);
    });

    it('keeps publish order per topic', async () => {
      const topic = uniqueTopic();
      const r = recorder();
      await bus.subscribe(topic, r.handler);
      const frames = Array.from({ length: 50 }, (_, i) => `m${i}`);
      // Not awaited one by one: order must hold for back-to-back publishes too.
      await Promise.all(frames.map((f) => bus.publish([topic], msg(f))));
      await r.arrival('m49');
      expect(r.frames()).toEqual(frames);
    });

    it('one publish to several topics reaches each topic’s subscriber once, and no other topic', async () => {
      const [t1, t2, t3] = [uniqueTopic(), uniqueTopic(), uniqueTopic()];
      const [r1, r2, r3] = [recorder(), recorder(), recorder()];
      await bus.subscribe(t1, r1.handler);
      await bus.subscribe(t2, r2.handler);
      await bus.subscribe(t3, r3.handler);
      await bus.publish([t1, t2], msg('both'));
      await bus.publish([t1, t2, t3], msg('marker'));
      await Promise.all([r1.arrival('marker'), r2.arrival('marker'), r3.arrival('marker')]);
      expect(r1.got).toEqual([
        { topic: t1, message: msg('both') },
        { topic: t1, message: msg('marker') },
      ]);
      expect(r2.got).toEqual([
        { topic: t2, message: msg('both') },
        { topic: t2, message: msg('marker') },
      ]);
      expect(r3.frames()).toEqual(['marker']);
    });

    it('publishing to a topic nobody subscribed to resolves and delivers nothing', async () => {
      const watched = uniqueTopic();
      const r = recorder();
      await bus.subscribe(watched, r.handler);
      await expect(bus.publish([uniqueTopic()], msg('nobody'))).resolves.toBeUndefined();
      await expect(bus.publish([], msg('no topics'))).resolves.toBeUndefined();
      await bus.publish([watched], msg('marker'));
      await r.arrival('marker');
      expect(r.frames()).toEqual(['marker']);
    });

    it('two subscriptions to one topic each get every message, even with the same handler', async () => {
      const topic = uniqueTopic();
      const a = recorder();
      const b = recorder();
      await bus.subscribe(topic, a.handler);
      await bus.subscribe(topic, b.handler);
      // The same function twice is two subscriptions: callers count on one delivery per call.
      const shared = recorder();
      await bus.subscribe(topic, shared.handler);
      await bus.subscribe(topic, shared.handler);
      await bus.publish([topic], msg('x'));
      await Promise.all([a.arrival('x'), b.arrival('x')]);
      await bus.publish([topic], msg('marker'));
      await Promise.all([a.arrival('marker'), b.arrival('marker'), shared.arrival('marker')]);
      expect(a.frames()).toEqual(['x', 'marker']);
      expect(b.frames()).toEqual(['x', 'marker']);
      expect(shared.frames().sort()).toEqual(['marker', 'marker', 'x', 'x']);
    });

    it('unsubscribing one of two subscriptions leaves the other delivering, and unsubscribing twice is harmless', async () => {
      const topic = uniqueTopic();
      const shared = recorder();
      const first = await bus.subscribe(topic, shared.handler);
      await bus.subscribe(topic, shared.handler);
      await first();
      await first();
      await bus.publish([topic], msg('once'));
      await shared.arrival('once');
      await bus.publish([topic], msg('marker'));
      await shared.arrival('marker');
      expect(shared.frames()).toEqual(['once', 'marker']);
    });

    it('a throwing handler does not stop the others, and its error is reported', async () => {
      const topic = uniqueTopic();
      const other = uniqueTopic();
      const boom = new Error('handler failed');
      await bus.subscribe(topic, () => {
        throw boom;
      });
      const sameTopic = recorder();
      const otherTopic = recorder();
      await bus.subscribe(topic, sameTopic.handler);
      await bus.subscribe(other, otherTopic.handler);
      await bus.publish([topic, other], msg('x'));
      await Promise.all([sameTopic.arrival('x'), otherTopic.arrival('x')]);
      // The failing subscription stays in place: the next message reaches everyone again.
      await bus.publish([topic], msg('y'));
      await sameTopic.arrival('y');
      expect(sameTopic.frames()).toEqual(['x', 'y']);
      expect(handlerErrors).toEqual([boom, boom]);
    });

    it('close stops delivery', async () => {
      const topic = uniqueTopic();
      const r = recorder();
      await bus.subscribe(topic, r.handler);
      await bus.publish([topic], msg('before'));
      await r.arrival('before');
      await bus.close();
      // A closed bus may refuse to publish; what matters is that nothing is delivered.
      await bus.publish([topic], msg('after')).catch(() => undefined);
      await sleep(QUIET_MS);
      expect(r.frames()).toEqual(['before']);
    });

    it('ping resolves while the bus can carry messages and rejects with a reason once it is closed', async () => {
      await expect(bus.ping()).resolves.toBeUndefined();
      await bus.close();
      await expect(bus.ping()).rejects.toThrow(/./);
    });

    it('onGap returns a function that removes the listener', () => {
      const off = bus.onGap(() => {});
      expect(typeof off).toBe('function');
      off();
    });
  });
}
