// The composition root: assembles a running server from its parts (store, bus, presence and
// typing state, users directory, services, HTTP app, WebSocket endpoint) on one port. Used by
// main.ts and by the tests, which pass their own temp data dir. Owns nothing else.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import { IDEMPOTENCY_TTL_MS } from './hostapi/idempotency.ts';
import { DEFAULT_DIST_DIR } from './assets/routes.ts';
import { TOKEN_LEEWAY_S, TokenCache } from './auth/token.ts';
import type { EventBus } from './bus/types.ts';
import { GroupService } from './dialogs/groups.ts';
import { DialogService } from './dialogs/service.ts';
import { openEngines } from './engines.ts';
import { type HostAllowlist, NO_ALLOWLIST } from './host/address.ts';
import { adapterError, requestContext } from './http/request.ts';
import { WidgetCache } from './http/tenant.ts';
import type { Cidr } from './limits/client-ip.ts';
import { RateGuard } from './limits/guard.ts';
import { DEFAULT_RATE_LIMITS, type RateLimitOverrides, effectiveLimits } from './limits/policy.ts';
import type { RateLimiter } from './limits/types.ts';
import { MessageService } from './messages/service.ts';
import { FileService } from './files/service.ts';
import type { S3Settings } from './files/storage/s3-settings.ts';
import { openFileStorage } from './files/storage/open.ts';
import { type HttpLimits, httpServerOptions, withBodyDeadline } from './ops/http-limits.ts';
import { isUploadRequest } from './files/routes.ts';
import { countHostFailure, startProcessMetrics } from './ops/metrics.ts';
import { Hub } from './realtime/hub.ts';
import { PresenceService } from './realtime/presence.ts';
import { PRESENCE_GRACE_MS } from './realtime/protocol.ts';
import { TypingService } from './realtime/typing.ts';
import { type Realtime, attachRealtime } from './realtime/ws.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/types.ts';
import { UsersDirectory } from './users/directory.ts';
import { type Timers, realTimers } from './util/timers.ts';

/** How often uploads never sent are looked for (they go an hour after they came: files/service.ts). */
const SWEEP_EVERY_MS = 5 * 60_000;

/** How long a stop waits for requests already received to be answered. */
const DRAIN_REQUESTS_MS = 5_000;

export interface StartOptions {
  /** Where the SQLite file is; with `databaseUrl`, nothing of the store is kept there. */
  dataDir: string;
  /** DATABASE_URL: postgres://… selects the PostgreSQL store (several nodes on one database); unset: SQLite in dataDir. */
  databaseUrl?: string | undefined;
  /**
   * REDIS_URL: redis://… or rediss://… puts the event bus, presence, typing and rate limits in Redis
   * (several nodes behind a balancer); unset: all in this process (one node).
   */
  redisUrl?: string | undefined;
  /** Before every Redis key and channel (default imbachat:); tests give each server its own. */
  redisPrefix?: string | undefined;
  port: number;
  host: string;
  log: Logger;
  usersInfoTtlMs?: number;
  usersInfoTimeoutMs?: number;
  heartbeatMs?: number;
  authTimeoutMs?: number;
  presenceGraceMs?: number;
  /** Clock skew tolerated on token `exp` (default 60 s). */
  tokenLeewayS?: number;
  typingExpiryMs?: number;
  /** How long events are kept for lossless resume (default 24 h). */
  eventRetentionMs?: number;
  now?: () => number;
  /** The one-shot timers of the presence grace, typing expiry, auth timeout and token-expiry close (default: the process's own). */
  timers?: Timers;
  /** Where the widget build is (default: widget/dist of this repository). */
  widgetDistDir?: string;
  /** Runs after the store is open and before the port is bound (e.g. applying the widgets file). */
  prepare?: (store: Store) => Promise<void>;
  /**
   * Non-public ranges host calls may reach (IMBACHAT_HOST_ALLOWLIST). Default: none, public
   * addresses only; tests, the demo and the benches allow loopback to reach their host sites.
   */
  hostAllowlist?: HostAllowlist;
  /** /metrics answers only with this bearer token (IMBACHAT_METRICS_TOKEN); without it, /metrics is off. */
  metricsToken?: string;
  /** Bytes queued on one socket before it is closed as a slow consumer (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Sockets one user may hold on this server (default MAX_SOCKETS_PER_USER). */
  maxSocketsPerUser?: number;
  /** The HTTP server's header size and timeouts (default DEFAULT_HTTP_LIMITS). */
  httpLimits?: Partial<HttpLimits>;
  /**
   * Changes to the server's default rate limits, bucket by bucket (default: DEFAULT_RATE_LIMITS);
   * a widget's own `rate_limits` still win over them. Tests of other things relax them here.
   */
  rateLimits?: RateLimitOverrides;
  /** Where the buckets are counted (default: in Redis with `redisUrl`, else in this process; on `now`). */
  rateLimiter?: RateLimiter;
  /** Peers whose X-Forwarded-For names the client (IMBACHAT_TRUSTED_PROXIES); default none. */
  trustedProxies?: Cidr[];
  /** IMBACHAT_S3_*: attachments in an S3 bucket; unset: under dataDir/files. */
  s3?: S3Settings | undefined;
}

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  bus: EventBus;
  hub: Hub;
  directory: UsersDirectory;
  presence: PresenceService;
  messages: MessageService;
  files: FileService;
  widgets: WidgetCache;
  realtime: Realtime;
  /**
   * Graceful stop: stop accepting connections, close every socket with 4000 server_restart
   * (reconnect elsewhere), let requests in flight finish, commit what is pending, close the store.
   */
  close(): Promise<void>;
}

export async function startServer(o: StartOptions): Promise<RunningServer> {
  const now = o.now ?? Date.now;
  const timers = o.timers ?? realTimers;
  const tokenLeewayS = o.tokenLeewayS ?? TOKEN_LEEWAY_S;
  startProcessMetrics();
  const store = await openStore({
    databaseUrl: o.databaseUrl,
    dataDir: o.dataDir,
    sqlite: { checkpointEveryMs: 1000 },
    postgres: { onError: (err) => o.log.warn({ err }, 'a PostgreSQL connection failed; the pool reconnects on the next query') },
  });
  await o.prepare?.(store);
  const engines = await openEngines({
    redisUrl: o.redisUrl,
    redisPrefix: o.redisPrefix,
    graceMs: o.presenceGraceMs ?? PRESENCE_GRACE_MS,
    timers,
    now,
    log: o.log,
    rateLimiter: o.rateLimiter,
  }).catch(async (err) => {
    await store.close();
    throw err;
  });
  const { bus, presence: presenceState, typing: typingState } = engines;
  const directory = new UsersDirectory({
    ttlMs: o.usersInfoTtlMs ?? 10 * 60_000,
    timeoutMs: o.usersInfoTimeoutMs ?? 3_000,
    log: o.log,
    now,
    hostAllowlist: o.hostAllowlist ?? NO_ALLOWLIST,
    onHostFailure: countHostFailure,
  });
  const widgets = new WidgetCache(store, now);
  const tokens = new TokenCache();
  const presence = new PresenceService(store, presenceState, bus, o.log, now);
  const typing = new TypingService(store, typingState, bus, o.log, o.typingExpiryMs);
  const dialogs = new DialogService(store, bus, directory, presence, now);
  const groups = new GroupService(store, bus, dialogs, now);
  const messages = new MessageService(store, bus, now, o.log);
  const storage = openFileStorage({ dataDir: o.dataDir, ...(o.s3 && { s3: o.s3 }) });
  const files = new FileService({ store, storage, tmpDir: join(o.dataDir, 'uploading'), now, log: o.log });
  await files.prepare();
  const hub = new Hub(
    bus,
    (widgetId, userId, r) => messages.delivered(widgetId, userId, r.dialogId, r.seq, r.senderId),
    (err) => o.log.error({ err }, 'bus subscription failed'),
  );
  const limits = new RateGuard({
    limiter: engines.limiter,
    defaults: effectiveLimits(DEFAULT_RATE_LIMITS, o.rateLimits),
    trustedProxies: o.trustedProxies ?? [],
  });
  const widgetDistDir = o.widgetDistDir ?? DEFAULT_DIST_DIR;
  let draining = false;
  const requests = requestContext(o.log);
  const app = createApp({
    widgets,
    tokens,
    directory,
    dialogs,
    groups,
    messages,
    files,
    store,
    tokenLeewayS,
    log: o.log,
    now,
    widgetDistDir,
    limits,
    requests,
    ops: { store, bus, draining: () => draining, metricsToken: o.metricsToken },
  });
  if (!existsSync(join(widgetDistDir, 'loader.js'))) {
    o.log.warn(
      { dist: widgetDistDir },
      'the widget is not built: the script URL answers 503 widget_not_built until `pnpm build` runs (pnpm start builds it by itself)',
    );
  }

  const retention = o.eventRetentionMs ?? 24 * 60 * 60_000;
  const prune = setInterval(() => {
    store.pruneEvents(now() - retention).catch((err) => o.log.error({ err }, 'could not prune old events'));
    store.pruneHostRequests(now() - IDEMPOTENCY_TTL_MS).catch((err) => o.log.error({ err }, 'could not prune old host API answers'));
  }, Math.min(60_000, Math.max(1000, retention / 4)));
  prune.unref();
  const sweep = setInterval(() => files.sweep().catch((err) => o.log.error({ err }, 'could not remove uploads never sent')), SWEEP_EVERY_MS);
  sweep.unref();
  const refresh = setInterval(() => presenceState.refresh().catch((err) => o.log.error({ err }, 'could not refresh presence')), 10_000);
  refresh.unref();

  const bodyDeadline = withBodyDeadline(getRequestListener(app.fetch, { hostname: o.host, errorHandler: adapterError }), o.httpLimits ?? {}, isUploadRequest);
  const server = await new Promise<Server>((resolve, reject) => {
    // Built from its parts rather than with serve(), which takes no error handler: a request the
    // adapter cannot parse gets our JSON error (http/request.ts), not a bare empty 400.
    const s = createServer(httpServerOptions(o.httpLimits), bodyDeadline.listener);
    s.once('error', reject);
    s.listen(o.port, o.host, () => resolve(s));
  });
  const realtime: Realtime = attachRealtime(server, {
    store,
    hub,
    widgets,
    tokens,
    directory,
    dialogs,
    messages,
    presence,
    typing,
    limits,
    ordered: bus.ordered,
    log: o.log,
    now,
    timers,
    tokenLeewayS,
    ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
    ...(o.authTimeoutMs ? { authTimeoutMs: o.authTimeoutMs } : {}),
    ...(o.maxBufferedBytes ? { maxBufferedBytes: o.maxBufferedBytes } : {}),
    ...(o.maxSocketsPerUser ? { maxSocketsPerUser: o.maxSocketsPerUser } : {}),
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    store,
    bus,
    hub,
    directory,
    presence,
    messages,
    files,
    widgets,
    realtime,
    async close() {
      draining = true;
      clearInterval(prune);
      clearInterval(sweep);
      clearInterval(refresh);
      bodyDeadline.stop();
      // Stop accepting first: from here no new connection lands on a server that is going away.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await realtime.close();
      // Requests already received are answered (a send answered 201 is committed), then the
      // keep-alive connections that remain are cut. The wait is bounded to stay well inside
      // main.ts's 10 s: a client trickling a body must not turn a clean stop into a failed one.
      if (!(await requests.inFlight.idle(DRAIN_REQUESTS_MS))) o.log.warn({ in_flight: requests.inFlight.count }, 'requests still in flight at shutdown were cut');
      await messages.idle();
      await presence.flush();
      server.closeAllConnections();
      await closed;
      hub.close();
      await typingState.close();
      await presenceState.close();
      await bus.close();
      await store.close();
      await storage.close();
      await limits.close();
      await engines.close();
    },
  };
}
