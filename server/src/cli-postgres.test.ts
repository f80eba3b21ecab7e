// The widgets CLI on a PostgreSQL deployment: with DATABASE_URL it manages the widgets in that
// database (the one the server reads), not a SQLite file of its own.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from './store/open.ts';
import { type TestDatabase, createTestDatabase, postgresSuite } from './store/postgres/test-database.ts';

const run = promisify(execFile);

await postgresSuite('the widgets CLI with DATABASE_URL', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-cli-pg-'));
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates and lists widgets in the PostgreSQL database, and writes no SQLite file', async () => {
    const cli = async (...args: string[]) => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'widgets', ...args], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, IMBACHAT_DATA_DIR: dataDir, INIT_CWD: '', DATABASE_URL: db.url },
      });
      return JSON.parse(stdout);
    };
    const created = await cli('create', '--name', 'Shop', '--users-info-url', 'https://shop.example/users', '--api-login', 'chat', '--api-password', 'pw');
    expect((await cli('list')).map((w: { dev_id: string }) => w.dev_id)).toEqual([created.dev_id]);
    const store = await openStore({ databaseUrl: db.url, dataDir });
    try {
      expect(await store.getWidgetByDevId(created.dev_id)).toMatchObject({ name: 'Shop', usersInfoUrl: 'https://shop.example/users' });
    } finally {
      await store.close();
    }
    expect(existsSync(join(dataDir, 'imbachat.sqlite'))).toBe(false);
  });
});
