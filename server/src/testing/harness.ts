// Test harness: the real server on an ephemeral port over a temp SQLite file, a real host site,
// tokens signed like the host's backend does, a small REST client, and the WebSocket client of
// ws-client.ts (re-exported here).
import type { S3Settings } from '../files/storage/s3-settings.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import pino, { type Logger } from 'pino';
import { type HostAllowlist, parseHostAllowlist } from '../host/address.ts';
import type { RateLimitOverrides } from '../limits/policy.ts';
import type { RateLimiter } from '../limits/types.ts';
import { UNMET_RATE_LIMITS } from '../limits/test-support.ts';
import { type RunningServer, startServer } from '../server.ts';
import { type EngineName, testEngines } from './engines.ts';
import type { WidgetRow } from '../store/types.ts';
import { generateSecretKey } from '../widgets/service.ts';
import type { ManualClock } from './clock.ts';
import { type HostSite, type HostUser, startHostSite } from './host-site.ts';
import { type WsClient, connectWs } from './ws-client.ts';

export { type WsClient, connectWs, roundTrip, within } from './ws-client.ts';

export const DEFAULT_USERS: HostUser[] = [
  { user_id: 1, name: 'Alice', avatar_url: 'https://example.test/a.png', profile_url: 'https://example.test/u/1', badge: 'gold' },
  { user_id: 2, name: 'Bob', avatar_url: false },
  { user_id: 3, name: 'Карл' },
  { user_id: 'x-9', name: 'String Id' },
];

export interface TestWidget {
  row: WidgetRow;
  devId: string;
  secret: string;
  host: HostSite;
  /** Signs a token for the user with this widget's secret; `exp` in seconds from now (default 1 h). */
  token(userId: number | string, expInS?: number): Promise<string>;
}

export interface Env {
  server: RunningServer;
  dataDir: string;
  /** For a child process (the CLI) that must reach this server's store and engines. */
  engineEnv: Record<string, string>;
  widgets: TestWidget[];
  api(widget: TestWidget, token: string | null): Api;
  ws(widget: TestWidget, token: string | null): Promise<WsClient>;
  /** Stops the server (keeping the data dir) and starts a new one on it. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Api {
  get<T = any>(path: string): Promise<ApiResult<T>>;
  post<T = any>(path: string, body: unknown): Promise<ApiResult<T>>;
  patch<T = any>(path: string, body: unknown): Promise<ApiResult<T>>;
  put<T = any>(path: string, body: unknown): Promise<ApiResult<T>>;
  delete<T = any>(path: string): Promise<ApiResult<T>>;
  raw(path: string, init: RequestInit): Promise<ApiResult>;
}

export interface EnvOptions {
  widgets?: number;
  users?: HostUser[];
  usersInfoTimeoutMs?: number;
  usersInfoTtlMs?: number;
  heartbeatMs?: number;
  authTimeoutMs?: number;
  presenceGraceMs?: number;
  typingExpiryMs?: number;
  allowedOrigins?: string[];
  /** The server's clock (a ManualClock's `now` in tests that set the time); tokens are signed by it too. */
  now?: () => number;
  /**
   * The server's clock and its timers: the presence grace, typing expiry, auth timeout and
   * token-expiry close fire only when the test moves this clock (without it, they keep real time).
   * Implies `now`.
   */
  clock?: ManualClock;
  /** What host calls may reach (default: loopback, where the test host sites are). */
  hostAllowlist?: HostAllowlist;
  /** The server's logger (default: quietLog); a test that reads what the server logs passes its own. */
  log?: Logger;
  /**
   * Server-wide rate limits (default UNMET_RATE_LIMITS: tests of other behaviour never meet one;
   * the limits' own tests give their widget its own with setWidgetLimits).
   */
  rateLimits?: RateLimitOverrides;
  /** Where the widget build is (default: widget/dist, which a fresh checkout does not have yet). */
  widgetDistDir?: string;
  /** Where the buckets are counted (default: the engines' own). */
  rateLimiter?: RateLimiter;
  /** These engines whatever IMBACHAT_TEST_ENGINES says (a test of what only several nodes do). */
  engines?: EngineName;
  /** Attachments in this S3 bucket instead of the data dir. */
  s3?: S3Settings;
}

/** The ranges the test host sites listen on: without them the SSRF guard refuses every host call. */
export const LOOPBACK_CIDRS = '127.0.0.0/8,::1/128';
export const TEST_HOST_ALLOWLIST = parseHostAllowlist(LOOPBACK_CIDRS);

/**
 * For a test that starts the CLI several times: each start is a fresh Node process loading the
 * sources through tsx, 1–3 s on a busy 2-core machine (a test of eight starts once passed 20 s).
 */
export const CLI_TEST_TIMEOUT_MS = 90_000;

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function sign(secret: string, claims: Record<string, unknown>, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

export async function createEnv(o: EnvOptions = {}): Promise<Env> {
  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-test-'));
  const now = o.clock?.now ?? o.now ?? Date.now;
  const widgets: TestWidget[] = [];
  const hosts: HostSite[] = [];
  for (let i = 0; i < (o.widgets ?? 1); i++) hosts.push(await startHostSite(o.users ?? DEFAULT_USERS));
  // SQLite and in-process engines, or PostgreSQL and Redis (IMBACHAT_TEST_ENGINES, testing/engines.ts).
  const engines = await testEngines(o.engines);

  const boot = () =>
    startServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      log: o.log ?? quietLog,
      now,
      ...(o.clock ? { timers: o.clock } : {}),
      usersInfoTimeoutMs: o.usersInfoTimeoutMs ?? 500,
      hostAllowlist: o.hostAllowlist ?? TEST_HOST_ALLOWLIST,
      rateLimits: o.rateLimits ?? UNMET_RATE_LIMITS,
      ...engines.options,
      ...(o.rateLimiter ? { rateLimiter: o.rateLimiter } : {}),
      ...(o.widgetDistDir ? { widgetDistDir: o.widgetDistDir } : {}),
      usersInfoTtlMs: o.usersInfoTtlMs ?? 60_000,
      ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
      ...(o.authTimeoutMs ? { authTimeoutMs: o.authTimeoutMs } : {}),
      ...(o.presenceGraceMs ? { presenceGraceMs: o.presenceGraceMs } : {}),
      ...(o.typingExpiryMs ? { typingExpiryMs: o.typingExpiryMs } : {}),
      ...(o.s3 ? { s3: o.s3 } : {}),
      prepare: async (store) => {
        if (widgets.length) return;
        for (const [i, host] of hosts.entries()) {
          const secret = generateSecretKey();
          const row = await store.insertWidget(
            {
              devId: `w${i}-${Math.random().toString(36).slice(2, 8)}`,
              name: `Widget ${i}`,
              secretKey: secret,
              apiLogin: host.login,
              apiPassword: host.password,
              usersInfoUrl: host.url,
              allowedOrigins: o.allowedOrigins ?? [],
              adminIds: [],
            },
            now(),
          );
          widgets.push({
            row,
            devId: row.devId,
            secret,
            host,
            token: (userId, expInS = 3600) =>
              sign(secret, { user_id: userId, exp: Math.floor(now() / 1000) + expInS }),
          });
        }
      },
    });

  const openSockets = new Set<WsClient>();
  const env: Env = {
    server: await boot(),
    dataDir,
    engineEnv: {
      ...(engines.options.databaseUrl ? { DATABASE_URL: engines.options.databaseUrl } : {}),
      ...(engines.options.redisUrl ? { REDIS_URL: engines.options.redisUrl } : {}),
      ...(engines.options.redisPrefix ? { IMBACHAT_REDIS_PREFIX: engines.options.redisPrefix } : {}),
    },
    widgets,
    api: (widget, token) => makeApi(() => env.server.url, widget.devId, token),
    async ws(widget, token) {
      const client = await connectWs(`${env.server.url.replace('http', 'ws')}/api/v1/${widget.devId}/ws`, token);
      openSockets.add(client);
      return client;
    },
    async restart() {
      for (const s of openSockets) s.close();
      await env.server.close();
      env.server = await boot();
    },
    async close() {
      for (const s of openSockets) s.close();
      await env.server.close();
      for (const h of hosts) await h.stop().catch(() => {});
      await engines.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return env;
}

function makeApi(base: () => string, devId: string, token: string | null): Api {
  const raw = async (path: string, init: RequestInit): Promise<ApiResult> => {
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    const res = await fetch(`${base()}/api/v1/${devId}${path}`, { ...init, headers });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { status: res.status, body, headers: res.headers };
  };
  const send = (method: string) => (path: string, body: unknown) =>
    raw(path, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return {
    raw,
    get: (path) => raw(path, { method: 'GET' }),
    post: send('POST'),
    patch: send('PATCH'),
    put: send('PUT'),
    delete: (path) => raw(path, { method: 'DELETE' }),
  };
}
