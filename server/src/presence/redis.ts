// Presence shared by every node through Redis: each node registers its connections with a TTL and
// refreshes them, so a node that dies has its users go offline by themselves (redis-scripts.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type TimerHandle, type Timers, realTimers } from '../util/timers.ts';
import { claimScript, connectScript, disconnectScript, onlineScript, reapScript, refreshScript } from './redis-scripts.ts';
import type { PresenceStore } from './types.ts';

/**
 * How long a connection's registration lasts without a refresh. The server refreshes every 10 s:
 * three periods, so one late refresh (a GC pause, a Redis blip) takes nobody offline, and the
 * users of a node that died go offline within about 30–40 s.
 */
export const REGISTRATION_TTL_MS = 30_000;
/** Connections per refresh script, users per online check and per reap: each call stays short. */
const CHUNK = 500;
/** Reap rounds per refresh: the rest waits for the next refresh rather than hold Redis. */
const MAX_REAP_ROUNDS = 20;

export interface RedisPresenceOptions {
  client: Redis;
  prefix: string;
  graceMs: number;
  ttlMs?: number;
  /** The grace timers (default: the process's own); registration TTLs run on Redis's clock. */
  timers?: Timers;
}

interface Registration {
  conns: string;
  user: string;
}

/**
 * Promise (presence/types.ts) across nodes: `connect` answers true exactly when the user had no
 * registered connection on any node and no grace period running; onlineAmong sees every node's.
 * The grace period belongs to the node that saw the last connection close: its timer ends it and
 * its onOffline listeners run. When that node dies first, or a node dies with users connected,
 * the first node whose refresh finds the user's time passed (registration TTL, or the grace
 * period plus one TTL) claims the user and runs its onOffline listeners: exactly one node
 * announces each offline, atomically decided in Redis.
 * Limits: an offline caused by a dead node is announced up to ttlMs plus one refresh period late;
 * a node stalled past ttlMs has its users counted offline (and announced) until its next refresh
 * registers them again, without a new online announcement. A connect sent again after a broken
 * link may announce an online twice (never none). One Redis; not Redis Cluster (the reaper builds
 * keys in Lua).
 */
export function createRedisPresence(o: RedisPresenceOptions): PresenceStore {
  const { client, prefix } = o;
  const timers = o.timers ?? realTimers;
  const ttlMs = o.ttlMs ?? REGISTRATION_TTL_MS;
  // Past the grace period the key waits one more TTL for its owner's timer, then the reaper's turn.
  const graceLifetimeMs = o.graceMs + ttlMs;
  const nodeId = randomBytes(6).toString('hex');
  const pz = `${prefix}pz`;
  const conns = (user: string) => `${prefix}pc:${user}`;
  const grace = (user: string) => `${prefix}pg:${user}`;
  const userOf = (widgetId: number, userId: string) => `${widgetId}:${userId}`;

  const mine = new Map<string, Registration>();
  const graceTimers = new Map<string, { token: string; timer: TimerHandle }>();
  const offline = new Set<(widgetId: number, userId: string) => void>();
  let tokens = 0;
  let closed = false;

  const announce = (user: string) => {
    if (closed) return;
    const i = user.indexOf(':');
    const [widgetId, userId] = [Number(user.slice(0, i)), user.slice(i + 1)];
    for (const l of [...offline]) l(widgetId, userId);
  };
  const claim = async (user: string, token: string) => {
    if ((await claimScript(client, [conns(user), grace(user), pz], [user, token])) === 1) announce(user);
  };
  const forgetTimer = (user: string, token: string) => {
    const g = graceTimers.get(user);
    if (g?.token !== token) return;
    timers.clearTimeout(g.timer);
    graceTimers.delete(user);
  };
  const endGrace = (user: string, token: string): Promise<void> => {
    forgetTimer(user, token);
    return claim(user, token);
  };

  return {
    async connect(widgetId, userId, connectionId) {
      const user = userOf(widgetId, userId);
      const member = `${nodeId}|${connectionId}`;
      // Registered locally first: a refresh running meanwhile registers it too, never drops it.
      mine.set(member, { conns: conns(user), user });
      const g = graceTimers.get(user);
      if (g) {
        timers.clearTimeout(g.timer);
        graceTimers.delete(user);
      }
      return (await connectScript(client, [conns(user), grace(user), pz], [member, ttlMs, user])) === 1;
    },

    async disconnect(widgetId, userId, connectionId) {
      const user = userOf(widgetId, userId);
      const member = `${nodeId}|${connectionId}`;
      if (!mine.delete(member)) return;
      const token = `${nodeId}:${++tokens}`;
      const last = disconnectScript(client, [conns(user), grace(user), pz], [member, graceLifetimeMs, token, user]).then((r) => r === 1);
      // The period is timed from this call, as in memory.ts, not from Redis's answer: a caller
      // that moves a test clock right after sees the same grace period on both.
      const previous = graceTimers.get(user);
      if (previous) timers.clearTimeout(previous.timer);
      const timer = timers.setTimeout(() => {
        last.then((isLast) => (isLast ? endGrace(user, token) : forgetTimer(user, token))).catch(() => {});
      }, o.graceMs);
      timer.unref();
      graceTimers.set(user, { token, timer });
      if (!(await last)) forgetTimer(user, token);
    },

    async onlineAmong(widgetId, userIds) {
      const out = new Set<string>();
      for (let i = 0; i < userIds.length; i += CHUNK) {
        const chunk = userIds.slice(i, i + CHUNK);
        const keys = chunk.flatMap((id) => [conns(userOf(widgetId, id)), grace(userOf(widgetId, id))]);
        const online = (await onlineScript(client, keys, [])) as number[];
        for (const j of online) out.add(chunk[j]!);
      }
      return out;
    },

    async refresh() {
      const all = [...mine];
      for (let i = 0; i < all.length; i += CHUNK) {
        const chunk = all.slice(i, i + CHUNK);
        await refreshScript(
          client,
          [...chunk.map(([, r]) => r.conns), pz],
          [ttlMs, ...chunk.flatMap(([member, r]) => [member, r.user])],
        );
      }
      for (let round = 0; round < MAX_REAP_ROUNDS; round++) {
        const [looked, ...gone] = (await reapScript(client, [pz], [prefix, CHUNK])) as [number, ...string[]];
        for (const user of gone) announce(user);
        if (looked < CHUNK) break;
      }
    },

    onOffline(listener) {
      offline.add(listener);
      return () => void offline.delete(listener);
    },

    async flush() {
      await Promise.all([...graceTimers].map(([user, { token }]) => endGrace(user, token)));
    },

    async close() {
      closed = true;
      for (const g of graceTimers.values()) timers.clearTimeout(g.timer);
      graceTimers.clear();
      offline.clear();
      // Registrations stay: this node's connections were closed (and disconnected) before, and a
      // node that stops without that has its users expire with the TTL, as if it had died.
      mine.clear();
    },
  };
}
