// The DATABASE_URL rule: which URLs select the PostgreSQL store, and how one is shown in logs and
// errors (never with its password). A leaf: config.ts imports it without loading the driver.

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/**
 * Why the URL cannot select PostgreSQL, or null when it can. The message never repeats the URL:
 * it may hold a password.
 */
export function postgresUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'DATABASE_URL is not a URL; expected postgres://user:password@host:5432/database';
  }
  if (!PROTOCOLS.has(parsed.protocol)) {
    return 'DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded SQLite store)';
  }
  return null;
}

/** The URL without its password (and query, which may carry one): postgres://user@host:5432/db. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}
