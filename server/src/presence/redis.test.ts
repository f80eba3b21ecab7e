// Runs the presence and typing contracts against the Redis stores (real time, short periods), then
// what only shared stores have: nodes seeing each other's users, a dead node's users going offline
// by themselves, and a Redis that restarts.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { connectTestRedis, describeWithRedis, startPrivateRedis } from '../bus/redis-test-support.ts';
import { presenceContract, typingContract } from './contract.ts';
import { createRedisPresence } from './redis.ts';
import { createRedisTyping } from './redis-typing.ts';
import type { PresenceStore, TypingStore } from './types.ts';

const WAIT_MS = 5_000;
let n = 0;
const unique = (what: string) => `${what}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
const widget = () => 2_000_000 + Math.floor(Math.random() * 1e6);

/** Records the users a store announced offline; `next` awaits one. */
function offlineLog(presence: PresenceStore) {
  const seen: string[] = [];
  const waiters: Array<{ user: string; resolve: () => void }> = [];
  presence.onOffline((w, u) => {
    seen.push(`${w}:${u}`);
    for (const x of waiters) if (x.user === `${w}:${u}`) x.resolve();
  });
  return {
    seen,
    next: (w: number, u: string) =>
      new Promise<void>((resolve, reject) => {
        if (seen.includes(`${w}:${u}`)) return resolve();
        const timer = setTimeout(() => reject(new Error(`${u} was not announced offline`)), WAIT_MS);
        waiters.push({ user: `${w}:${u}`, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

/** Calls `refresh` every few ms, as the server does every 10 s, until stopped. */
function refreshing(...stores: PresenceStore[]) {
  const timer = setInterval(() => stores.forEach((s) => s.refresh().catch(() => {})), 15);
  return () => clearInterval(timer);
}

await describeWithRedis('Redis presence and typing', (prefix) => {
  presenceContract('Redis', async ({ graceMs }) => {
    const client = await connectTestRedis();
    const presence = createRedisPresence({ client, prefix, graceMs });
    return { presence, cleanup: async () => (await presence.close(), client.disconnect()) };
  });

  typingContract('Redis', async () => {
    const client = await connectTestRedis();
    const typing = createRedisTyping({ client, prefix });
    return { typing, cleanup: async () => (await typing.close(), client.disconnect()) };
  });

  describe('between nodes', () => {
    const clients: Redis[] = [];
    const stores: Array<PresenceStore | TypingStore> = [];
    const client = async (url?: string) => {
      const c = await connectTestRedis('imbachat-test-node', url);
      clients.push(c);
      return c;
    };
    const presenceNode = async (o: { graceMs?: number; ttlMs?: number; url?: string } = {}) => {
      const p = createRedisPresence({ client: await client(o.url), prefix, graceMs: o.graceMs ?? 50, ttlMs: o.ttlMs ?? 30_000 });
      stores.push(p);
      return p;
    };
    const typingNode = async () => {
      const t = createRedisTyping({ client: await client(), prefix });
      stores.push(t);
      return t;
    };
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      for (const c of clients.splice(0)) c.disconnect();
    });

    it('nodes see each other’s connections; the node that saw the last one close announces the offline', async () => {
      const [a, b] = [await presenceNode(), await presenceNode()];
      const [offA, offB] = [offlineLog(a), offlineLog(b)];
      const [w, u] = [widget(), unique('u')];
      expect(await a.connect(w, u, 'tab-1')).toBe(true);
      expect(await b.onlineAmong(w, [u, 'nobody'])).toEqual(new Set([u]));
      expect(await b.connect(w, u, 'tab-1')).toBe(false); // the same connection id on another node is another tab
      await a.disconnect(w, u, 'tab-1');
      expect(await a.onlineAmong(w, [u])).toEqual(new Set([u]));
      await b.disconnect(w, u, 'tab-1');
      await offB.next(w, u);
      expect(await a.onlineAmong(w, [u])).toEqual(new Set());
      // a's grace never started (b still had a tab then), so a has nothing to announce.
      expect(await a.connect(w, unique('marker'), 'c')).toBe(true);
      expect(offA.seen).toEqual([]);
    });

    it('a reconnect on another node within the grace period is not news, and nobody announces an offline', async () => {
      const [a, b] = [await presenceNode({ graceMs: 80 }), await presenceNode({ graceMs: 80 })];
      const [offA, offB] = [offlineLog(a), offlineLog(b)];
      const [w, u, marker] = [widget(), unique('u'), unique('marker')];
      await a.connect(w, u, 'c1');
      await a.disconnect(w, u, 'c1');
      expect(await b.connect(w, u, 'c2')).toBe(false);
      // A later user's grace on a, begun after u's: once it is announced, u's has surely run out.
      await a.connect(w, marker, 'm');
      await a.disconnect(w, marker, 'm');
      await offA.next(w, marker);
      expect(offA.seen).toEqual([`${w}:${marker}`]);
      expect(offB.seen).toEqual([]);
      expect(await a.onlineAmong(w, [u])).toEqual(new Set([u]));
    });

    it('the users of a node that stops refreshing go offline by themselves, announced once by a live node', async () => {
      const ttlMs = 300;
      const [dead, b, c] = [await presenceNode({ ttlMs }), await presenceNode({ ttlMs }), await presenceNode({ ttlMs })];
      const [offB, offC] = [offlineLog(b), offlineLog(c)];
      const [w, u, stays] = [widget(), unique('u'), unique('stays')];
      await dead.connect(w, u, 'c1');
      await dead.connect(w, u, 'c2');
      await b.connect(w, stays, 'c1');
      expect(await c.onlineAmong(w, [u, stays])).toEqual(new Set([u, stays]));
      // `dead` never refreshes again and never disconnects: as if its process was killed.
      const stop = refreshing(b, c);
      try {
        await Promise.race([offB.next(w, u), offC.next(w, u)]);
        expect(await b.onlineAmong(w, [u, stays])).toEqual(new Set([stays]));
        // Both kept reaping past the moment: still exactly one announcement, and b's own user,
        // refreshed all along, is online.
        await b.refresh();
        await c.refresh();
      } finally {
        stop();
      }
      expect([...offB.seen, ...offC.seen].filter((x) => x === `${w}:${u}`)).toHaveLength(1);
      expect([...offB.seen, ...offC.seen]).not.toContain(`${w}:${stays}`);
      expect(await c.onlineAmong(w, [stays])).toEqual(new Set([stays]));
    });

    it('a user whose node died during the grace period still goes offline', async () => {
      const [dead, b] = [await presenceNode({ graceMs: 50, ttlMs: 200 }), await presenceNode({ graceMs: 50, ttlMs: 200 })];
      const offB = offlineLog(b);
      const [w, u] = [widget(), unique('u')];
      await dead.connect(w, u, 'c1');
      await dead.disconnect(w, u, 'c1');
      await dead.close(); // its grace timer dies with it
      const stop = refreshing(b);
      try {
        await offB.next(w, u);
      } finally {
        stop();
      }
      expect(await b.onlineAmong(w, [u])).toEqual(new Set());
    });

    it('after Redis restarts empty, the next refresh registers this node’s connections again', async () => {
      const redis = await startPrivateRedis();
      try {
        const a = await presenceNode({ url: redis.url });
        const [w, u] = [widget(), unique('u')];
        await a.connect(w, u, 'c1');
        await redis.kill();
        await redis.start();
        // The scripts are gone too: the first call loads them again.
        await expect.poll(() => a.onlineAmong(w, [u]).catch(() => null), { timeout: WAIT_MS }).toEqual(new Set());
        await a.refresh();
        expect(await a.onlineAmong(w, [u])).toEqual(new Set([u]));
      } finally {
        await redis.kill();
      }
    });

    it('typing: a start on one node is seen by another, and a refresh there takes the expiry over', async () => {
      const [a, b] = [await typingNode(), await typingNode()];
      const expiredOn = { a: [] as string[], b: [] as string[] };
      a.onExpired((w, d, u) => expiredOn.a.push(`${w}:${d}:${u}`));
      const bExpired = new Promise<string>((resolve) => b.onExpired((w, d, u) => resolve(`${w}:${d}:${u}`)));
      const [w, u] = [widget(), unique('u')];
      expect(await a.start(w, 1, u, 100)).toBe(true);
      expect(await b.start(w, 1, u, 200)).toBe(false);
      expect(await bExpired).toBe(`${w}:1:${u}`);
      // a's timer ran out first (100 ms), found the entry b's, and said nothing.
      expect(expiredOn.a).toEqual([]);
      expect(await a.start(w, 1, u, 5_000)).toBe(true);
      expect(await b.stop(w, 1, u)).toBe(true);
    });
  });
});
