// Which engines a test server runs on: the embedded default (SQLite, in-process bus, presence and
// limits), or PostgreSQL + Redis when IMBACHAT_TEST_ENGINES=postgres+redis. `pnpm test` runs the
// server suite once each way, so every test that builds its server with createEnv proves both.
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, uniquePrefix } from '../bus/redis-test-support.ts';
import { createTestDatabase } from '../store/postgres/test-database.ts';

export type EngineName = 'embedded' | 'postgres+redis';

export const TEST_ENGINES: EngineName = process.env.IMBACHAT_TEST_ENGINES === 'postgres+redis' ? 'postgres+redis' : 'embedded';

export interface TestEngines {
  /** For startServer: nothing (the defaults), or a fresh database and a Redis prefix of its own. */
  options: { databaseUrl?: string; redisUrl?: string; redisPrefix?: string };
  /** Drops the database and deletes every Redis key under the prefix. */
  cleanup(): Promise<void>;
}

export async function testEngines(name: EngineName = TEST_ENGINES): Promise<TestEngines> {
  if (name === 'embedded') return { options: {}, cleanup: async () => {} };
  const db = await createTestDatabase();
  const prefix = uniquePrefix();
  return {
    options: { databaseUrl: db.url, redisUrl: TEST_REDIS_URL, redisPrefix: prefix },
    async cleanup() {
      await db.drop();
      const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
