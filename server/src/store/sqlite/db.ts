// The SQLite connection: one WAL file, drizzle migrations applied at open, and statements
// prepared once on first use. Statements are plain SQL: on the hot paths drizzle's query builder
// cost more than the queries themselves, so drizzle keeps the schema and the migrations.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'sqlite');

export interface SqliteOptions {
  /** Sees every statement as it runs (tests use it to check query plans). */
  onQuery?: (sql: string, params: unknown[]) => void;
}

/** The part of a prepared statement the store uses; named parameters only. */
export interface Stmt<Row> {
  get(params?: object): Row | undefined;
  all(params?: object): Row[];
  run(params?: object): { changes: number; lastInsertRowid: number | bigint };
}

export interface Db {
  raw: Database.Database;
  /** The statement for this SQL, prepared on first use and reused after. */
  q<Row = Record<string, unknown>>(sql: string): Stmt<Row>;
  /** Runs fn in an IMMEDIATE transaction: the write lock is taken first, so two nodes queue instead of failing. */
  write<R>(fn: () => R): R;
  /** Runs fn in a read transaction: one consistent snapshot for several statements. */
  read<R>(fn: () => R): R;
}

export function openDb(file: string, options: SqliteOptions = {}): Db {
  mkdirSync(dirname(file), { recursive: true });
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  // NORMAL in WAL mode keeps the database consistent on power loss and loses no committed
  // transaction on a process crash; only an OS crash may roll back the newest commits.
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  // Another node (a second process on the same file) holding the write lock is waited for.
  raw.pragma('busy_timeout = 5000');
  // Index pages of the hot tables stay in memory (64 MiB), and the WAL is folded back less often.
  raw.pragma('cache_size = -65536');
  raw.pragma('wal_autocheckpoint = 4000');
  migrate(drizzle({ client: raw }), { migrationsFolder: MIGRATIONS });

  const onQuery = options.onQuery;
  const cache = new Map<string, Stmt<unknown>>();
  const q = <Row>(sql: string): Stmt<Row> => {
    let stmt = cache.get(sql) as Stmt<Row> | undefined;
    if (!stmt) {
      const prepared = raw.prepare(sql);
      stmt = prepared as unknown as Stmt<Row>;
      if (onQuery) {
        const seen = (params?: object) => onQuery(sql, params === undefined ? [] : [params]);
        stmt = {
          get: (p) => (seen(p), (p === undefined ? prepared.get() : prepared.get(p)) as Row | undefined),
          all: (p) => (seen(p), (p === undefined ? prepared.all() : prepared.all(p)) as Row[]),
          run: (p) => (seen(p), p === undefined ? prepared.run() : prepared.run(p)),
        };
      }
      cache.set(sql, stmt as Stmt<unknown>);
    }
    return stmt;
  };
  return {
    raw,
    q,
    write: (fn) => raw.transaction(fn).immediate(),
    read: (fn) => raw.transaction(fn).deferred(),
  };
}
