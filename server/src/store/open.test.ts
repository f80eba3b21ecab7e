// The store selection: DATABASE_URL picks PostgreSQL, its absence the SQLite file; a URL of
// another kind is refused at config time, and no error or log line shows its password.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { widgetFields } from './contract/harness.ts';
import { describeStore, openStore, sqliteFile } from './open.ts';
import { SKIP_EXTERNAL, createTestDatabase, postgresProblem } from './postgres/test-database.ts';

const SECRET = 'pa55-w0rd-never-shown';
const problem = await postgresProblem();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'imbachat-open-'));
  dirs.push(d);
  return d;
};

/** The message loadConfig throws, asserted outside any catch so that not throwing fails too. */
function configError(env: Record<string, string>): string {
  let message = '';
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    message = (err as Error).message;
  }
  return message;
}

describe('DATABASE_URL in the configuration', () => {
  it('accepts postgres:// and postgresql://, and treats unset or empty as SQLite', () => {
    for (const url of [`postgres://app:${SECRET}@db.internal:5432/chat`, 'postgresql://db.internal/chat']) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('refuses another scheme or a non-URL, naming the variable and never the password', () => {
    for (const url of [`mysql://app:${SECRET}@db.internal/chat`, `app:${SECRET} at db.internal`, `sqlite:///${SECRET}.db`]) {
      const message = configError({ DATABASE_URL: url });
      expect(message).toMatch(/^Invalid environment: DATABASE_URL: DATABASE_URL (must start with postgres:\/\/|is not a URL)/);
      expect(message).not.toContain(SECRET);
    }
  });

  it('shows a selection in logs without its password', () => {
    expect(describeStore({ databaseUrl: `postgres://app:${SECRET}@db.internal:5432/chat?password=${SECRET}`, dataDir: '/d' })).toBe(
      'postgres://app@db.internal:5432/chat',
    );
    expect(describeStore({ dataDir: '/srv/chat' })).toBe(`sqlite:${join('/srv/chat', 'imbachat.sqlite')}`);
  });
});

describe('openStore', () => {
  it('without DATABASE_URL opens the SQLite file in the data directory', async () => {
    const dir = tempDir();
    const store = await openStore({ dataDir: dir });
    try {
      await store.insertWidget(widgetFields('sqlite-selected'), 1);
      expect(existsSync(sqliteFile(dir))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('a database that cannot be reached fails the open, naming where without the password', async () => {
    // Port 1 on loopback: nothing listens, so the refusal is immediate.
    const error = await openStore({ databaseUrl: `postgres://app:${SECRET}@127.0.0.1:1/chat`, dataDir: tempDir() }).then(
      () => null,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(/^cannot open the PostgreSQL store at postgres:\/\/app@127\.0\.0\.1:1\/chat: /);
    expect(error?.message).not.toContain(SECRET);
  });

  it.skipIf(problem !== null && SKIP_EXTERNAL)('with a postgres:// DATABASE_URL opens that database, migrated, and writes there', async () => {
    if (problem) throw new Error(problem);
    const database = await createTestDatabase();
    try {
      const store = await openStore({ databaseUrl: database.url, dataDir: tempDir() });
      try {
        const row = await store.insertWidget(widgetFields('postgres-selected'), 1);
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ id: number }>('SELECT id FROM widgets WHERE dev_id = $1', ['postgres-selected']);
          expect(rows).toEqual([{ id: row.id }]);
        } finally {
          await client.end();
        }
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});
