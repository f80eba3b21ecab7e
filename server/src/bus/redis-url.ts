// The rules for REDIS_URL, kept apart from the client so the configuration can check a URL without
// loading ioredis. Nothing here ever repeats the URL's user or password.

/** What is wrong with `url` as a REDIS_URL, in words that never repeat it; null when it is fine. */
export function redisUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'REDIS_URL must be a URL such as redis://127.0.0.1:6379 (it is not one; the value is not shown, it may hold a password)';
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return 'REDIS_URL must start with redis:// or rediss://';
  if (!u.hostname) return 'REDIS_URL names no host';
  if (u.pathname && u.pathname !== '/' && !/^\/\d{1,2}$/.test(u.pathname)) return 'REDIS_URL may end only in a database number, such as /0';
  return null;
}

/** `redis://host:port/db` without user or password: what logs and errors may show. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname && u.pathname !== '/' ? u.pathname : '';
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}${db}`;
  } catch {
    return 'an unparsable Redis URL';
  }
}
