// PostgreSQL and Redis for the cluster scenario: whether they answer, a fresh database and a Redis
// key prefix per configuration (dropped and deleted afterwards), and the CPU their own processes
// use, from /proc: they are not in the bench's process tree, so without this "others" absorbs it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { connectRedis, deleteKeys } from '../../src/bus/redis-client.ts';
import { cpuMs } from './targets.ts';

/** A server on which the bench may CREATE DATABASE (the tests' default: trust auth on loopback). */
export const BENCH_POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL || process.env.IMBACHAT_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL || process.env.IMBACHAT_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** host:port of a URL, without user or password, for messages. */
export function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
}

async function withAdmin<R>(fn: (c: pg.Client) => Promise<R>): Promise<R> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const message = (err: unknown) => (err as Error).message || (err as { code?: string }).code || String(err);

/** Null when both PostgreSQL and Redis answer; otherwise why the cluster scenario cannot run. */
export async function enginesProblem(): Promise<string | null> {
  const problems: string[] = [];
  try {
    await withAdmin((c) => c.query('SELECT 1'));
  } catch (err) {
    problems.push(`PostgreSQL is not reachable at ${where(BENCH_POSTGRES_URL)} (${message(err)})`);
  }
  try {
    const redis = await connectRedis(BENCH_REDIS_URL, 'imbachat-bench-probe', 3_000);
    await redis.ping();
    redis.disconnect();
  } catch (err) {
    problems.push(`Redis is not reachable at ${where(BENCH_REDIS_URL)} (${message(err)})`);
  }
  return problems.length
    ? `${problems.join('; ')}. Set BENCH_POSTGRES_URL (a server where the bench may CREATE DATABASE) and BENCH_REDIS_URL, or start them (.ci/run does)`
    : null;
}

/** CPU used so far (ms, user + system) by the PostgreSQL processes that serve one database, and by redis-server. */
export interface EnginesCpuSample {
  /** pid → CPU ms: the postmaster and its shared background processes (`shared`), and the backends of this database. */
  postgres: Map<number, { ms: number; shared: boolean }> | null;
  redis: number | null;
}

export interface EnginesCpu {
  postgresMs: number | null;
  /** Of postgresMs, the postmaster and the background processes (WAL writer, checkpointer…) every database of the server shares. */
  postgresSharedMs: number | null;
  redisMs: number | null;
  /** How many PostgreSQL processes were counted (the postmaster, background processes, this database's backends). */
  postgresProcesses: number;
}

export interface Engines {
  /** For startTarget: the fresh database, the Redis and a prefix of this configuration's own. */
  env: { DATABASE_URL: string; REDIS_URL: string; IMBACHAT_REDIS_PREFIX: string };
  database: string;
  /** The redis-server's pid on this machine, or null when it is not a local process (then its CPU is not measured). */
  redisPid: number | null;
  sample(): Promise<EnginesCpuSample>;
  /** Drops the database (ending any connection left) and deletes every key under the prefix. */
  cleanup(): Promise<{ keysDeleted: number }>;
}

function comm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

function ppid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The difference of two samples; a PostgreSQL process that appeared in between counts from zero. */
export function enginesCpuBetween(a: EnginesCpuSample, b: EnginesCpuSample): EnginesCpu {
  let postgresMs: number | null = null;
  let postgresSharedMs: number | null = null;
  if (a.postgres && b.postgres) {
    postgresMs = 0;
    postgresSharedMs = 0;
    for (const [pid, p] of b.postgres) {
      const used = Math.max(0, p.ms - (a.postgres.get(pid)?.ms ?? 0));
      postgresMs += used;
      if (p.shared) postgresSharedMs += used;
    }
    postgresMs = Math.round(postgresMs);
    postgresSharedMs = Math.round(postgresSharedMs);
  }
  return {
    postgresMs,
    postgresSharedMs,
    redisMs: a.redis !== null && b.redis !== null ? Math.round(b.redis - a.redis) : null,
    postgresProcesses: b.postgres?.size ?? 0,
  };
}

/**
 * Creates `imbachat_bench_<random>` on the bench's PostgreSQL and picks a Redis prefix of its own;
 * finds the processes whose CPU is PostgreSQL's and Redis's share of the work.
 */
export async function createEngines(label: string): Promise<Engines> {
  const database = `imbachat_bench_${randomBytes(6).toString('hex')}`;
  // From template0: nothing added to template1 on this machine leaks into the run.
  await withAdmin((c) => c.query(`CREATE DATABASE ${database} TEMPLATE template0`));
  const url = new URL(BENCH_POSTGRES_URL);
  url.pathname = `/${database}`;
  const prefix = `imbachat-bench:${process.pid}:${randomBytes(4).toString('hex')}:${label}:`;
  let redis: Redis | null = null;
  let sampler: pg.Client | null = null;
  try {
    redis = await connectRedis(BENCH_REDIS_URL, 'imbachat-bench', 3_000);
    const info = await redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    // The pid Redis reports is only this machine's when the process is here (not in a container, not remote).
    const redisPid = pid && comm(pid)?.startsWith('redis') ? pid : null;
    // One admin connection for the samples, on the admin database: its own backend is not counted.
    sampler = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 3_000 });
    await sampler.connect();
    const own = (await sampler.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const postmaster = comm(own) === 'postgres' ? ppid(own) : null;
    const s = sampler;
    const r = redis;
    let cleaned: Promise<{ keysDeleted: number }> | null = null;
    return {
      env: { DATABASE_URL: url.toString(), REDIS_URL: BENCH_REDIS_URL, IMBACHAT_REDIS_PREFIX: prefix },
      database,
      redisPid,
      async sample() {
        let postgres: EnginesCpuSample['postgres'] = null;
        if (postmaster !== null) {
          // Shared background processes (WAL writer, checkpointer…: other users of this server make
          // them work too) and the backends of this database; not other databases' backends.
          const rows = (
            await s.query<{ pid: number; shared: boolean }>(
              `SELECT pid, datname IS NULL AS shared FROM pg_stat_activity
                WHERE datname = $1 OR (backend_type <> 'client backend' AND (datname IS NULL OR datname = $1))`,
              [database],
            )
          ).rows;
          postgres = new Map();
          for (const { pid, shared } of [{ pid: postmaster, shared: true }, ...rows]) {
            const ms = cpuMs(pid);
            if (ms !== null) postgres.set(pid, { ms, shared });
          }
        }
        return { postgres, redis: redisPid === null ? null : cpuMs(redisPid) };
      },
      cleanup() {
        cleaned ??= (async () => {
          await s.end().catch(() => undefined);
          await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
          try {
            return { keysDeleted: await deleteKeys(r, prefix) };
          } finally {
            r.disconnect();
          }
        })();
        return cleaned;
      },
    };
  } catch (err) {
    await sampler?.end().catch(() => undefined);
    redis?.disconnect();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
    throw err;
  }
}
