// Runs the EventBus contract against the Redis bus, then what only a bus between nodes has: two
// nodes on one Redis, subscriptions only for a node's own users, and links that break and heal.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Hub, type HubSession } from '../realtime/hub.ts';
import { busContract } from './contract.ts';
import { openRedisBus } from './redis.ts';
import { connectTestRedis, describeWithRedis, startPrivateRedis, startTcpHop } from './redis-test-support.ts';
import { type BusMessage, type EventBus, userTopic } from './types.ts';

const WAIT_MS = 5_000;
let n = 0;
const topic = () => userTopic(1, `user-${++n}-${Math.random().toString(36).slice(2, 8)}`);

/** Resolves with the next call of the listener registered through `register`. */
function next(register: (l: () => void) => () => void, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not happen`)), WAIT_MS);
    const off = register(() => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** A handler recording frames, awaiting one by name. */
function inbox() {
  const got: BusMessage[] = [];
  const waiting = new Map<string, () => void>();
  return {
    got,
    handler: (_t: string, m: BusMessage) => {
      got.push(m);
      waiting.get(m.frame)?.();
    },
    arrival: (frame: string) =>
      new Promise<void>((resolve, reject) => {
        if (got.some((m) => m.frame === frame)) return resolve();
        const timer = setTimeout(() => reject(new Error(`${frame} did not arrive`)), WAIT_MS);
        waiting.set(frame, () => (clearTimeout(timer), resolve()));
      }),
  };
}

await describeWithRedis('Redis bus', (prefix) => {
  busContract('Redis', async ({ onHandlerError }) => {
    const client = await connectTestRedis();
    const bus = await openRedisBus({ client, prefix, onHandlerError });
    return {
      bus,
      cleanup: async () => {
        await bus.close();
        client.disconnect();
      },
    };
  });

  describe('between nodes', () => {
    const opened: Array<{ bus: EventBus; client: Redis }> = [];
    const node = async (url?: string) => {
      const client = await connectTestRedis('imbachat-test-node', url);
      const links = new Set<(event: string, what: string) => void>();
      const bus = await openRedisBus({ client, prefix, onLink: (event, what) => links.forEach((l) => l(event, what)) });
      opened.push({ bus, client });
      /** Resolves when the bus reports that link event. */
      const link = (event: 'lost' | 'restored', what: 'publisher' | 'subscriber') =>
        next((l) => {
          const listener = (e: string, w: string) => e === event && w === what && l();
          links.add(listener);
          return () => void links.delete(listener);
        }, `${what} ${event}`);
      return { bus, client, link };
    };
    afterEach(async () => {
      for (const { bus, client } of opened.splice(0)) {
        await bus.close();
        client.disconnect();
      }
    });

    it('two nodes sharing one Redis get each other’s publications with every field', async () => {
      const [a, b] = [await node(), await node()];
      const [ta, tb] = [topic(), topic()];
      const [ra, rb] = [inbox(), inbox()];
      await a.bus.subscribe(ta, ra.handler);
      await b.bus.subscribe(tb, rb.handler);
      const sent: BusMessage = { frame: '{"type":"message.new"}', eventId: 9, receipt: { dialogId: 3, seq: 4, senderId: 'x' }, committedAt: 1_900_000_000_001 };
      await a.bus.publish([tb], sent);
      await b.bus.publish([ta, tb], { frame: 'to both' });
      await Promise.all([rb.arrival('to both'), ra.arrival('to both')]);
      expect(rb.got).toEqual([sent, { frame: 'to both' }]);
      expect(ra.got).toEqual([{ frame: 'to both' }]);
    });

    it('a node subscribes to the users it holds connections for, and drops them when they leave', async () => {
      const [a, b] = [await node(), await node()];
      const hub = new Hub(a.bus, () => {}, (err) => { throw err; });
      const session = (userId: string): HubSession => ({ widgetId: 5, userId, deliver: () => {}, resync: () => {} });
      const [s1, s2, s3] = [session(`alice-${n++}`), session(`bob-${n++}`), session(`bob-${n - 1}`)];
      await hub.join(s1);
      await hub.join(s2);
      await hub.join(s3); // a second tab: no second subscription
      const channels = [s1, s2].map((s) => prefix + userTopic(5, s.userId));
      const subscribers = async () => (await b.client.pubsub('NUMSUB', ...channels)) as Array<string | number>;
      expect(await subscribers()).toEqual([channels[0], 1, channels[1], 1]);
      hub.leave(s1);
      hub.leave(s2);
      // bob keeps a tab: still subscribed; alice's channel goes once its UNSUBSCRIBE ran, which a
      // later command on the same connection proves: the next round trip sees it gone.
      await a.bus.ping();
      await expect.poll(subscribers, { timeout: WAIT_MS }).toEqual([channels[0], 0, channels[1], 1]);
      hub.close();
    });

    it('a copy sent again after a broken link is delivered once', async () => {
      const [a, b] = [await node(), await node()];
      const t = topic();
      const r = inbox();
      await b.bus.subscribe(t, r.handler);
      // What ioredis resends is the same payload: the same publisher id and counter.
      for (const payload of ['p1 1 {"frame":"one"}', 'p1 1 {"frame":"one"}', 'p1 2 {"frame":"two"}']) await a.client.publish(prefix + t, payload);
      await r.arrival('two');
      expect(r.got.map((m) => m.frame)).toEqual(['one', 'two']);
    });

    it('a broken subscriber link is subscribed again before onGap runs, and both ways deliver again', async () => {
      const hop = await startTcpHop();
      try {
        const [a, b] = [await node(hop.url), await node()];
        const [ta, tb] = [topic(), topic()];
        const [ra, rb] = [inbox(), inbox()];
        await a.bus.subscribe(ta, ra.handler);
        await b.bus.subscribe(tb, rb.handler);
        // Published from inside the gap listener: the subscription must already be back.
        const gap = next((l) => a.bus.onGap(() => (l(), void b.bus.publish([ta], { frame: 'right after the gap' }))), 'the gap');
        hop.block();
        await b.bus.publish([ta], { frame: 'while away' }); // at most once: may well be lost
        hop.unblock();
        await gap;
        await ra.arrival('right after the gap');
        await a.bus.publish([tb], { frame: 'from the healed node' });
        await rb.arrival('from the healed node');
        await expect(a.bus.ping()).resolves.toBeUndefined();
      } finally {
        await hop.close();
      }
    });

    it('a publish that failed while its link was down makes the other nodes resync once it is back', async () => {
      const hop = await startTcpHop();
      try {
        const [a, b] = [await node(hop.url), await node()];
        const t = topic();
        const r = inbox();
        await b.bus.subscribe(t, r.handler);
        const lost = a.link('lost', 'publisher');
        hop.block();
        await lost;
        await expect(a.bus.ping()).rejects.toThrow(/Redis .*connection is/);
        await expect(a.bus.publish([t], { frame: 'lost' })).rejects.toThrow();
        // b never lost its own link: only a's notice can tell it that something went missing.
        const gap = next((l) => b.bus.onGap(l), 'the gap notice');
        hop.unblock();
        await gap;
        expect(r.got).toEqual([]);
      } finally {
        await hop.close();
      }
    });

    it('after Redis restarts, every node resubscribes, runs onGap, and delivery resumes', async () => {
      const redis = await startPrivateRedis();
      try {
        const [a, b] = [await node(redis.url), await node(redis.url)];
        const t = topic();
        const r = inbox();
        await b.bus.subscribe(t, r.handler);
        const gaps = [next((l) => a.bus.onGap(l), 'a’s gap'), next((l) => b.bus.onGap(l), 'b’s gap')];
        await redis.kill();
        await redis.start();
        await Promise.all(gaps);
        await a.bus.publish([t], { frame: 'after the restart' });
        await r.arrival('after the restart');
      } finally {
        await redis.kill();
      }
    });
  });
});
