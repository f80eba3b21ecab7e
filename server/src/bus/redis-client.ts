// The Redis connections every Redis engine (bus, presence, typing, rate limits) runs on: the options
// they rely on, waiting for the first connection, and Lua scripts that survive a Redis restart.
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { describeRedisUrl } from './redis-url.ts';

export { describeRedisUrl } from './redis-url.ts';

/** How long a start waits for Redis to answer before it gives up and says so. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * How often a command waiting for a lost connection rides a reconnect attempt before it fails.
 * ioredis's default (20) holds a caller ~30 s at default backoff; a chat action should fail in
 * about a second instead (an HTTP 500 the client retries, a socket that reconnects), and the
 * offline queue stays short. Commands already sent when the link broke are sent again once it is
 * back (ioredis's autoResendUnfulfilledCommands: without it they would never settle).
 */
const RETRIES_PER_COMMAND = 3;

/** Reconnect backoff: a floor of 50 ms (never a tight loop), doubling, capped at 2 s, with jitter. */
export function reconnectDelay(attempt: number): number {
  return Math.min(2_000, 50 * 2 ** Math.min(attempt - 1, 6)) + Math.floor(Math.random() * 100);
}

export const REDIS_OPTIONS = {
  lazyConnect: true,
  maxRetriesPerRequest: RETRIES_PER_COMMAND,
  retryStrategy: reconnectDelay,
  enableOfflineQueue: true,
  autoResendUnfulfilledCommands: true,
} satisfies RedisOptions;

/**
 * Resolves once `client` is ready (connecting it if it is lazy); rejects after `timeoutMs` saying
 * where Redis was expected and the last connection error, and leaves the client disconnected.
 */
export async function whenReady(client: Redis, where: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  if (client.status === 'ready') return;
  let lastError: Error | undefined;
  const onError = (err: Error) => (lastError = err);
  client.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new Error(`Redis at ${where} is not reachable${lastError ? ` (${lastError.message})` : ''}`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('ready', onReady);
      if (client.status === 'wait') client.connect().catch(() => {});
    });
  } catch (err) {
    client.disconnect();
    throw err;
  } finally {
    client.off('error', onError);
  }
}

/** Opens a connection to `url` and waits until it is ready. `name` shows in CLIENT LIST. */
export async function connectRedis(url: string, name: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Redis> {
  const client = new Redis(url, { ...REDIS_OPTIONS, connectionName: name });
  // Always listened to: ioredis prints unhandled connection errors to stderr otherwise. The
  // owner logs them; a reconnect is ioredis's job.
  client.on('error', () => {});
  await whenReady(client, describeRedisUrl(url), timeoutMs);
  return client;
}

export type ScriptArg = string | number;

/**
 * A Lua script run by its SHA (EVALSHA), loaded again when Redis answers NOSCRIPT: a restarted
 * Redis has forgotten every script, and the next call brings it back.
 */
export function luaScript(lua: string) {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (client: Redis, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

/** Deletes every key under `prefix` (tests, and a deployer retiring a prefix). */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete every key of the database');
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
