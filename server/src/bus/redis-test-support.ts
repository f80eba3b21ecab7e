// For the Redis engines' tests: the Redis they run on (or the plain failure, or skip, when it is
// not there), a key prefix of their own deleted afterwards, a TCP hop the test can cut, and a
// private redis-server the test may kill and start again without disturbing anyone else's.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import { connectRedis, deleteKeys, describeRedisUrl } from './redis-client.ts';
import { freePort } from '../testing/free-port.ts';

export const TEST_REDIS_URL = process.env.IMBACHAT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SKIP_EXTERNAL = process.env.IMBACHAT_SKIP_EXTERNAL === '1';

/** A prefix no other run uses: every key and channel of this run is under it. */
export function uniquePrefix(): string {
  return `imbachat-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

export function connectTestRedis(name = 'imbachat-test', url = TEST_REDIS_URL): Promise<Redis> {
  return connectRedis(url, name, 2_000);
}

async function problemReaching(url: string): Promise<string | null> {
  try {
    const client = await connectTestRedis('imbachat-test-probe', url);
    client.disconnect();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Declares the suite `body` when Redis answers. When it does not, the file fails with one plain
 * test saying so and how CI starts it, or, with IMBACHAT_SKIP_EXTERNAL=1, the suite is skipped.
 * `prefix` (its keys are deleted after the file) is handed to the body.
 */
export async function describeWithRedis(name: string, body: (prefix: string) => void): Promise<void> {
  const problem = await problemReaching(TEST_REDIS_URL);
  const prefix = uniquePrefix();
  if (!problem) {
    describe(name, () => {
      afterAll(async () => {
        const client = await connectTestRedis();
        await deleteKeys(client, prefix);
        client.disconnect();
      });
      body(prefix);
    });
    return;
  }
  const message =
    `${problem}. These tests need Redis at ${describeRedisUrl(TEST_REDIS_URL)} (IMBACHAT_TEST_REDIS_URL): ` +
    '`.ci/run` starts it (redis-server --daemonize yes --port 6379); IMBACHAT_SKIP_EXTERNAL=1 skips them.';
  if (SKIP_EXTERNAL) {
    console.warn(`skipped "${name}": ${message}`);
    describe.skip(name, () => body(prefix));
    return;
  }
  describe(name, () => {
    it('needs Redis', () => {
      throw new Error(message);
    });
  });
}

/** How many keys are under `prefix` now. */
export async function countKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

/** A TCP hop in front of Redis: `cut` breaks every link now; `block` also refuses new ones until `unblock`. */
export interface TcpHop {
  url: string;
  cut(): void;
  block(): void;
  unblock(): void;
  close(): Promise<void>;
}

export async function startTcpHop(targetUrl = TEST_REDIS_URL): Promise<TcpHop> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) return void client.destroy();
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}`,
    cut,
    block() {
      blocked = true;
      cut();
    },
    unblock() {
      blocked = false;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A redis-server of the test's own on a free port, without persistence; the test kills it at the end. */
export interface PrivateRedis {
  url: string;
  /** SIGKILL, as a crash: the process is gone when this resolves. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.once('error', (err) => reject(new Error(`redis-server did not start (${err.message}); Debian's redis-server package provides it`)));
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)));
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
    });
    proc.removeAllListeners('exit');
    proc.stdout!.resume();
    proc.stderr!.resume();
  };
  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start };
}
