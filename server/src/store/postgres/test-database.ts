// Test support: fresh, empty PostgreSQL databases (created per suite, dropped at its end), and the
// plain answer a suite gives when PostgreSQL is not there.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import type { StoreUnderTest } from '../contract/harness.ts';
import type { Store } from '../types.ts';
import { openPostgresStore } from './index.ts';

/** Where tests create their databases: any database of a server on which they may CREATE DATABASE. */
export const TEST_POSTGRES_URL = process.env.IMBACHAT_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** Where the server is, without user or password, for messages. */
function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}`;
}

/**
 * Null when PostgreSQL answers; otherwise a message saying so, how CI starts it, and how to skip.
 * Tests must fail with it, unless IMBACHAT_SKIP_EXTERNAL=1 (see `postgresSuite`).
 */
export async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (
      `PostgreSQL is not reachable at ${where(TEST_POSTGRES_URL)} (${(err as Error).message || (err as { code?: string }).code}). ` +
      'CI starts it: .ci/run starts PostgreSQL and Redis when they are down. ' +
      'Point IMBACHAT_TEST_POSTGRES_URL elsewhere, or set IMBACHAT_SKIP_EXTERNAL=1 to skip the PostgreSQL tests.'
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether suites that need PostgreSQL or Redis are skipped when those are not reachable. */
export const SKIP_EXTERNAL = process.env.IMBACHAT_SKIP_EXTERNAL === '1';

/**
 * Registers the suite when PostgreSQL answers. When it does not: one failing test that says so,
 * or, with IMBACHAT_SKIP_EXTERNAL=1, a skipped one with the same message.
 */
export async function postgresSuite(name: string, fn: () => void): Promise<void> {
  const problem = await postgresProblem();
  if (!problem) describe(name, fn);
  else if (SKIP_EXTERNAL) describe.skip(`${name} (skipped: ${problem})`, () => it('needs PostgreSQL', () => {}));
  else
    describe(name, () =>
      it('needs PostgreSQL', () => {
        throw new Error(problem);
      }),
    );
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

async function admin<R>(fn: (client: pg.Client) => Promise<R>): Promise<R> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database `imbachat_test_<random>` on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `imbachat_test_${randomBytes(6).toString('hex')}`;
  // From template0: nothing added to template1 on this machine leaks into the test.
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | null = null;
  return {
    url: url.toString(),
    name,
    drop: () => (dropped ??= admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))),
  };
}

/**
 * The contract suite's OpenStore on PostgreSQL: a fresh database per call, `reopen` a second pool
 * on it (the second node), `cleanup` closes what is still open and drops the database.
 */
export const openTestStore = async (): Promise<StoreUnderTest & { url: string }> => {
  const database = await createTestDatabase();
  const stillOpen = new Set<Store>();
  // The suite closes some stores itself (durability), so cleanup closes only the others.
  const connect = async (): Promise<Store> => {
    const store = await openPostgresStore(database.url, { poolSize: 4 });
    const tracked: Store = Object.assign(Object.create(store) as Store, {
      close: async () => {
        if (!stillOpen.delete(tracked)) return;
        await store.close();
      },
    });
    stillOpen.add(tracked);
    return tracked;
  };
  try {
    return {
      url: database.url,
      store: await connect(),
      reopen: connect,
      cleanup: async () => {
        for (const store of [...stillOpen]) await store.close();
        await database.drop();
      },
    };
  } catch (err) {
    await database.drop();
    throw err;
  }
};
