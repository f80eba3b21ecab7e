// Assembles a running server from its parts: store, bus, users directory, HTTP app and WebSocket
// endpoint, on one port. Used by main.ts and by the tests, which pass their own temp data dir.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import { TOKEN_LEEWAY_S } from './auth/token.ts';
import { createMemoryBus } from './bus/memory.ts';
import type { EventBus } from './bus/types.ts';
import { Hub } from './realtime/hub.ts';
import { Presence } from './realtime/presence.ts';
import { DeliveryTracker } from './realtime/receipts.ts';
import { Typing } from './realtime/typing.ts';
import { type Realtime, attachRealtime } from './realtime/ws.ts';
import { openSqliteStore } from './store/sqlite.ts';
import type { Store } from './store/types.ts';
import { UsersDirectory } from './users/directory.ts';

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
  /** How long each user's events are kept for lossless resume (default 24 h). */
  eventRetentionMs?: number;
  now?: () => number;
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
  presence: Presence;
  deliveries: DeliveryTracker;
  close(): Promise<void>;
}

export async function startServer(o: StartOptions): Promise<RunningServer> {
  const now = o.now ?? Date.now;
  const tokenLeewayS = o.tokenLeewayS ?? TOKEN_LEEWAY_S;
  const store = openSqliteStore(join(o.dataDir, 'imbachat.sqlite'));
  await o.prepare?.(store);
  const bus = createMemoryBus((err) => o.log.error({ err }, 'event listener failed'));
  const hub = new Hub();
  const directory = new UsersDirectory({
    ttlMs: o.usersInfoTtlMs ?? 10 * 60_000,
    timeoutMs: o.usersInfoTimeoutMs ?? 3_000,
    log: o.log,
    now,
  });
  const presence = new Presence(store, bus, o.log, now, o.presenceGraceMs);
  const typing = new Typing(store, bus, o.typingExpiryMs);
  const { app, messages } = createApp({
    store,
    bus,
    directory,
    presence,
    tokenLeewayS,
    log: o.log,
    now,
    onSent: (widgetId, userId, dialogId) => void typing.stop(widgetId, userId, dialogId).catch(() => {}),
  });
  const deliveries = new DeliveryTracker((w, u, target) => messages.markDelivered(w, u, target), o.log);
  const unsubscribe = bus.subscribe((e) => {
    const reached = hub.deliver(e);
    if (e.receipt) {
      for (const userId of reached) {
        if (userId !== e.receipt.senderId) deliveries.reached(e.widgetId, userId, e.receipt.dialogId, e.receipt.seq);
      }
    }
  });
  const retention = o.eventRetentionMs ?? 24 * 60 * 60_000;
  const prune = setInterval(() => {
    store.pruneEvents(now() - retention).catch((err) => o.log.error({ err }, 'could not prune old events'));
  }, Math.min(60_000, Math.max(1000, retention / 4)));
  prune.unref();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: o.port, hostname: o.host }, () => resolve(s as Server));
    s.once('error', reject);
  });
  const realtime: Realtime = attachRealtime(server, {
    store,
    hub,
    directory,
    presence,
    typing,
    onReady: (widgetId, userId) =>
      void messages.markDelivered(widgetId, userId, null).catch((err) => o.log.error({ err }, 'could not record deliveries')),
    log: o.log,
    now,
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
    deliveries,
    async close() {
      clearInterval(prune);
      typing.close();
      await realtime.close();
      await deliveries.idle();
      await presence.flush();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      unsubscribe();
      await bus.close();
      await store.close();
    },
  };
}
