// The composition root: assembles a running server from its parts (store, bus, presence and
// typing state, users directory, services, HTTP app, WebSocket endpoint) on one port. Used by
// main.ts and by the tests, which pass their own temp data dir. Owns nothing else.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import { DEFAULT_DIST_DIR } from './assets/routes.ts';
import { TOKEN_LEEWAY_S, TokenCache } from './auth/token.ts';
import { createMemoryBus } from './bus/memory.ts';
import type { EventBus } from './bus/types.ts';
import { DialogService } from './dialogs/service.ts';
import { WidgetCache } from './http/tenant.ts';
import { MessageService } from './messages/service.ts';
import { createMemoryPresence, createMemoryTyping } from './presence/memory.ts';
import { Hub } from './realtime/hub.ts';
import { PresenceService } from './realtime/presence.ts';
import { PRESENCE_GRACE_MS } from './realtime/protocol.ts';
import { TypingService } from './realtime/typing.ts';
import { type Realtime, attachRealtime } from './realtime/ws.ts';
import { openSqliteStore } from './store/sqlite/index.ts';
import type { Store } from './store/types.ts';
import { UsersDirectory } from './users/directory.ts';
import { type Timers, realTimers } from './util/timers.ts';

export interface StartOptions {
  dataDir: string;
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
  widgets: WidgetCache;
  close(): Promise<void>;
}

export async function startServer(o: StartOptions): Promise<RunningServer> {
  const now = o.now ?? Date.now;
  const timers = o.timers ?? realTimers;
  const tokenLeewayS = o.tokenLeewayS ?? TOKEN_LEEWAY_S;
  const store = openSqliteStore(join(o.dataDir, 'imbachat.sqlite'), { checkpointEveryMs: 1000 });
  await o.prepare?.(store);
  const bus = createMemoryBus((err) => o.log.error({ err }, 'event handler failed'));
  const presenceState = createMemoryPresence({ graceMs: o.presenceGraceMs ?? PRESENCE_GRACE_MS, timers });
  const typingState = createMemoryTyping({ timers });
  const directory = new UsersDirectory({ ttlMs: o.usersInfoTtlMs ?? 10 * 60_000, timeoutMs: o.usersInfoTimeoutMs ?? 3_000, log: o.log, now });
  const widgets = new WidgetCache(store, now);
  const tokens = new TokenCache();
  const presence = new PresenceService(store, presenceState, bus, o.log, now);
  const typing = new TypingService(store, typingState, bus, o.log, o.typingExpiryMs);
  const dialogs = new DialogService(store, bus, directory, presence, now);
  const messages = new MessageService(store, bus, now, o.log);
  const hub = new Hub(
    bus,
    (widgetId, userId, r) => messages.delivered(widgetId, userId, r.dialogId, r.seq, r.senderId),
    (err) => o.log.error({ err }, 'bus subscription failed'),
  );
  const widgetDistDir = o.widgetDistDir ?? DEFAULT_DIST_DIR;
  const app = createApp({ widgets, tokens, directory, dialogs, messages, tokenLeewayS, log: o.log, now, widgetDistDir });
  if (!existsSync(join(widgetDistDir, 'loader.js'))) {
    o.log.warn(
      { dist: widgetDistDir },
      'the widget is not built: the script URL answers 503 widget_not_built until `pnpm build` runs (pnpm start builds it by itself)',
    );
  }

  const retention = o.eventRetentionMs ?? 24 * 60 * 60_000;
  const prune = setInterval(() => {
    store.pruneEvents(now() - retention).catch((err) => o.log.error({ err }, 'could not prune old events'));
  }, Math.min(60_000, Math.max(1000, retention / 4)));
  prune.unref();
  const refresh = setInterval(() => presenceState.refresh().catch((err) => o.log.error({ err }, 'could not refresh presence')), 10_000);
  refresh.unref();

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: o.port, hostname: o.host }, () => resolve(s as Server));
    s.once('error', reject);
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
    log: o.log,
    now,
    timers,
    tokenLeewayS,
    ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
    ...(o.authTimeoutMs ? { authTimeoutMs: o.authTimeoutMs } : {}),
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
    widgets,
    async close() {
      clearInterval(prune);
      clearInterval(refresh);
      await realtime.close();
      await messages.idle();
      await presence.flush();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      hub.close();
      await typingState.close();
      await presenceState.close();
      await bus.close();
      await store.close();
    },
  };
}
