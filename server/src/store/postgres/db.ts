// The PostgreSQL connection: a pool, drizzle migrations applied at open (one node at a time), and
// plain-SQL statements with named parameters, prepared once per connection on first use. As in the
// SQLite store, drizzle keeps the schema and the migrations; the queries are written by hand.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'postgres');

/**
 * The advisory lock key that migrations run under. Nodes started together on an empty database
 * would otherwise all try to create the same tables; with it the first migrates and the others
 * find nothing left to do.
 */
const MIGRATION_LOCK = 0x1bac_4a7;

export interface PostgresOptions {
  /**
   * Connections per node (default 10). Each write transaction holds one for a few round trips;
   * PostgreSQL's own limit (max_connections, 100 by default) is shared by every node.
   */
  poolSize?: number;
  /** Errors of idle connections (the server restarted, the network dropped); the next query reconnects. */
  onError?: (err: Error) => void;
  /** Sees every statement as it runs (tests use it). */
  onQuery?: (sql: string, params: unknown[]) => void;
}

/** int8 (bigint) columns and count(*) as JS numbers: ids, positions and milliseconds stay below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

interface Compiled {
  name: string;
  text: string;
  names: string[];
}
const compiled = new Map<string, Compiled>();

/** `:name` parameters to `$n`, once per SQL text; `::casts` are left alone. */
function compile(source: string): Compiled {
  let c = compiled.get(source);
  if (!c) {
    const names: string[] = [];
    const text = source.replace(/(?<![:\w]):([A-Za-z_]\w*)/g, (_, name: string) => {
      const at = names.indexOf(name);
      if (at >= 0) return `$${at + 1}`;
      names.push(name);
      return `$${names.length}`;
    });
    c = { name: `imbachat_${compiled.size + 1}`, text, names };
    compiled.set(source, c);
  }
  return c;
}

/** Statements on one connection (inside a transaction) or on the pool (each on its own). */
export interface Conn {
  all<Row>(sql: string, params?: Record<string, unknown>): Promise<Row[]>;
  get<Row>(sql: string, params?: Record<string, unknown>): Promise<Row | undefined>;
  /** Runs the statement; answers how many rows it touched. */
  run(sql: string, params?: Record<string, unknown>): Promise<number>;
}

export interface Framing {
  begin?: string;
  commit?: () => string;
}

export interface Db extends Conn {
  pool: pg.Pool;
  /**
   * Runs fn in a READ COMMITTED transaction on one connection; rolls back when it throws.
   * `framing.begin` runs in the same round trip as BEGIN (its rows go to fn) and `framing.commit`
   * in the same round trip as COMMIT: a write turn then costs no round trip of its own. Both are
   * sent as plain text, so they may hold only literals the caller has checked (integers).
   */
  tx<R>(fn: (c: Conn, begun: Record<string, unknown>[]) => Promise<R>, framing?: Framing): Promise<R>;
  close(): Promise<void>;
}

function conn(client: pg.Pool | pg.PoolClient, onQuery: PostgresOptions['onQuery']): Conn {
  const query = async (sql: string, params: Record<string, unknown> = {}) => {
    const c = compile(sql);
    const values = c.names.map((n) => {
      if (!(n in params)) throw new Error(`missing SQL parameter :${n}`);
      return params[n];
    });
    onQuery?.(c.text, values);
    return client.query({ name: c.name, text: c.text, values });
  };
  return {
    all: async <Row>(sql: string, params?: Record<string, unknown>) => (await query(sql, params)).rows as Row[],
    get: async <Row>(sql: string, params?: Record<string, unknown>) => (await query(sql, params)).rows[0] as Row | undefined,
    run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
  };
}

export async function openDb(url: string, options: PostgresOptions = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    application_name: 'imbachat',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // A node that stalls inside a transaction (paused, partitioned) holds its widget's log lock;
    // PostgreSQL ends such a session so the other nodes' writes to that widget carry on.
    idle_in_transaction_session_timeout: 15_000,
    // A statement waiting longer than this on that lock fails instead of hanging its request.
    statement_timeout: 15_000,
  });
  pool.on('error', (err) => options.onError?.(err));
  try {
    await migrateOnce(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const onQuery = options.onQuery;
  return {
    pool,
    ...conn(pool, onQuery),
    async tx(fn, framing = {}) {
      const client = await pool.connect();
      let broken = false;
      try {
        const begun = await client.query(framing.begin ? `BEGIN; ${framing.begin}` : 'BEGIN');
        // A multi-statement text answers one result per statement; BEGIN's comes first.
        const rows = Array.isArray(begun) ? ((begun as pg.QueryResult[])[1]?.rows ?? []) : [];
        const result = await fn(conn(client, onQuery), rows);
        const commit = framing.commit?.();
        await client.query(commit ? `${commit}; COMMIT` : 'COMMIT');
        return result;
      } catch (err) {
        // A failed ROLLBACK means the connection itself is gone: it is dropped, not reused.
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

async function migrateOnce(pool: pg.Pool) {
  const client = await pool.connect();
  let broken = false;
  try {
    // Migrations may rewrite big tables: no statement timeout for them.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => (broken = true));
      await client.query('RESET statement_timeout').catch(() => (broken = true));
    }
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    client.release(broken);
  }
}
