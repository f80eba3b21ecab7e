// The SQLite connection: one WAL file, drizzle migrations applied at open, and statements
// prepared once on first use. Statements are plain SQL: on the hot paths drizzle's query builder
// cost more than the queries themselves, so drizzle keeps the schema and the migrations.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'sqlite');

export interface SqliteOptions {
  /** Sees every statement as it runs (tests use it to check query plans). */
  onQuery?: (sql: string, params: unknown[]) => void;
  /**
   * Fold the WAL back into the database from a worker thread (every this many ms) instead of
   * inside a commit. An automatic checkpoint copies thousands of pages while the event loop
   * waits: the bench saw it as delivery p99 in the tens of milliseconds. 0 leaves SQLite's own.
   */
  checkpointEveryMs?: number;
}

/** The checkpointer, run in a worker thread on its own connection (plain CommonJS: no loader needed). */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message || err)); }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

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
  close(): Promise<void>;
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

  let checkpointer: Worker | null = null;
  if (options.checkpointEveryMs) {
    raw.pragma('wal_autocheckpoint = 0');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    checkpointer = new Worker(CHECKPOINTER, { eval: true, workerData: { file, driver, everyMs: options.checkpointEveryMs } });
    checkpointer.unref();
    // If the checkpointer fails, SQLite's own checkpoints take over again: the WAL never grows unbounded.
    const fallBack = () => raw.open && raw.pragma('wal_autocheckpoint = 4000');
    checkpointer.on('error', fallBack);
    checkpointer.on('message', fallBack);
  }

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
    async close() {
      if (checkpointer) {
        const worker = checkpointer;
        checkpointer = null;
        await new Promise<void>((resolve) => {
          worker.once('exit', () => resolve());
          worker.postMessage('stop');
        });
      }
      raw.close();
    },
  };
}
