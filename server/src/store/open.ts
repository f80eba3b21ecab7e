// Picks the store the configuration asks for: PostgreSQL when a DATABASE_URL is given (several
// nodes on one database), otherwise the embedded SQLite file in the data directory (one node).
import { join } from 'node:path';
import { type PostgresOptions, openPostgresStore } from './postgres/index.ts';
import { postgresUrlProblem, redactPostgresUrl } from './postgres/url.ts';
import { type SqliteOptions, openSqliteStore } from './sqlite/index.ts';
import type { Store } from './types.ts';

export interface StoreSelection {
  /** postgres:// or postgresql:// selects PostgreSQL; unset or empty: SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Where the SQLite file is (`imbachat.sqlite`); unused with PostgreSQL. */
  dataDir: string;
  sqlite?: SqliteOptions;
  postgres?: PostgresOptions;
}

/** The SQLite file of a data directory: the one place that names it. */
export const sqliteFile = (dataDir: string) => join(dataDir, 'imbachat.sqlite');

/** Opens the selected store, migrated. A DATABASE_URL that is not PostgreSQL's is refused, not ignored. */
export async function openStore(s: StoreSelection): Promise<Store> {
  if (!s.databaseUrl) return openSqliteStore(sqliteFile(s.dataDir), s.sqlite);
  const problem = postgresUrlProblem(s.databaseUrl);
  if (problem) throw new Error(problem);
  try {
    return await openPostgresStore(s.databaseUrl, s.postgres);
  } catch (err) {
    // The driver's own message names no password; the address tells which database failed.
    throw new Error(`cannot open the PostgreSQL store at ${redactPostgresUrl(s.databaseUrl)}: ${(err as Error).message}`, { cause: err });
  }
}

/** What the selection opens, for logs: the redacted URL or the SQLite file. */
export function describeStore(s: StoreSelection): string {
  return s.databaseUrl ? redactPostgresUrl(s.databaseUrl) : `sqlite:${sqliteFile(s.dataDir)}`;
}
