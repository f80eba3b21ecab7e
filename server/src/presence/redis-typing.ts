// Typing indicators shared by every node through Redis: one key per widget, dialog and user, with
// a TTL, holding the token of the start that last refreshed it.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaScript } from '../bus/redis-client.ts';
import { type TimerHandle, type Timers, realTimers } from '../util/timers.ts';
import type { TypingStore } from './types.ts';

/**
 * How long Redis keeps an entry past its ttl. The node that last refreshed it ends it on time with
 * its own timer (and announces); the key outlives that only for a node that died, so that its
 * typists do not linger: receivers end an indicator by their own expiry anyway.
 */
const ORPHAN_MARGIN_MS = 5_000;

/** KEYS: the entry. ARGV: the token of the start whose time ran out. 1 when it was still that start's. */
const expireScript = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`);

/**
 * Promise (presence/types.ts) across nodes: `start` answers true when nobody had the user typing
 * in the dialog on any node; `stop` answers true when someone had; an entry not refreshed within
 * its ttl ends, and onExpired runs once, on the node of the start that last refreshed it (a
 * refresh on another node takes the entry over).
 * Limits: a node that dies takes its expiry announcements with it (the entry itself goes
 * ORPHAN_MARGIN_MS after its ttl); a start sent again after a broken link answers false.
 */
export function createRedisTyping(o: { client: Redis; prefix: string; timers?: Timers }): TypingStore {
  const { client, prefix } = o;
  const timers = o.timers ?? realTimers;
  const nodeId = randomBytes(6).toString('hex');
  const local = new Map<string, { token: string; timer: TimerHandle }>();
  const expired = new Set<(widgetId: number, dialogId: number, userId: string) => void>();
  let starts = 0;
  let closed = false;
  const keyOf = (widgetId: number, dialogId: number, userId: string) => `${prefix}ty:${widgetId}:${dialogId}:${userId}`;

  const forget = (key: string) => {
    const current = local.get(key);
    if (current) timers.clearTimeout(current.timer);
    local.delete(key);
  };

  return {
    async start(widgetId, dialogId, userId, ttlMs) {
      const key = keyOf(widgetId, dialogId, userId);
      const token = `${nodeId}:${++starts}`;
      const written = client.set(key, token, 'PX', ttlMs + ORPHAN_MARGIN_MS, 'GET');
      // Timed from this call, as in memory.ts; the end waits for the write, so it cannot overtake it.
      forget(key);
      const timer = timers.setTimeout(() => {
        if (local.get(key)?.token !== token) return;
        local.delete(key);
        written
          .then(() => expireScript(client, [key], [token]))
          .then(
            (ended) => {
              if (ended !== 1 || closed) return;
              for (const l of [...expired]) l(widgetId, dialogId, userId);
            },
            () => {},
          );
      }, ttlMs);
      timer.unref();
      local.set(key, { token, timer });
      return (await written) === null;
    },

    async stop(widgetId, dialogId, userId) {
      const key = keyOf(widgetId, dialogId, userId);
      forget(key);
      return (await client.del(key)) === 1;
    },

    onExpired(listener) {
      expired.add(listener);
      return () => void expired.delete(listener);
    },

    async close() {
      closed = true;
      for (const key of [...local.keys()]) forget(key);
      expired.clear();
    },
  };
}
