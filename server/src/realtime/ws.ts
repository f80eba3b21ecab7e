// The WebSocket endpoint /api/v1/{dev_id}/ws: upgrade, widget and origin checks, one
// SocketSession per socket (session.ts), and the heartbeat that drops sockets that stopped answering.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type WidgetCache, originAllowed } from '../http/tenant.ts';
import { rateLimitedFrame } from '../limits/guard.ts';
import { wsClosed, wsOpened } from '../ops/metrics.ts';
import { UserSocketCaps } from '../ops/socket-caps.ts';
import { type Timers, realTimers } from '../util/timers.ts';
import { AUTH_TIMEOUT_MS, CloseCode, MAX_CLIENT_FRAME_BYTES, MAX_SOCKETS_PER_USER } from './protocol.ts';
import { type SessionDeps, SocketSession } from './session.ts';

export interface RealtimeOptions extends Omit<SessionDeps, 'timers' | 'heartbeatMs' | 'authTimeoutMs' | 'maxBufferedBytes' | 'caps'> {
  widgets: WidgetCache;
  /** For the sessions' auth timeout and token-expiry close (default: the process's own). */
  timers?: Timers;
  heartbeatMs?: number;
  authTimeoutMs?: number;
  /** Default 4 MiB (see SessionDeps.maxBufferedBytes). */
  maxBufferedBytes?: number;
  /** Default MAX_SOCKETS_PER_USER. */
  maxSocketsPerUser?: number;
}

const PATH = /^\/api\/v1\/([^/]+)\/ws\/?$/;

export interface Realtime {
  close(code?: number, reason?: string): Promise<void>;
  /** Open sockets, and the most bytes ever queued on one socket of this endpoint (the memory bound's witness). */
  stats(): { sockets: number; peakQueuedBytes: number };
}

export function attachRealtime(server: Server, o: RealtimeOptions): Realtime {
  const deps: SessionDeps = {
    ...o,
    timers: o.timers ?? realTimers,
    heartbeatMs: o.heartbeatMs ?? 25_000,
    authTimeoutMs: o.authTimeoutMs ?? AUTH_TIMEOUT_MS,
    maxBufferedBytes: o.maxBufferedBytes ?? 4 * 1024 * 1024,
    caps: new UserSocketCaps<SocketSession>(o.maxSocketsPerUser ?? MAX_SOCKETS_PER_USER),
  };
  let sockets = 0;
  let peakOfClosed = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false, clientTracking: false });
  const sessions = new Set<SocketSession>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = PATH.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const devId = safeDecode(match[1]!);
    const origin = req.headers.origin;
    const ip = o.limits.clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Frames the client sends at once (its auth) wait until the session listens: the checks
      // below take a round trip to the store or Redis, and a frame read meanwhile would be lost.
      ws.pause();
      // A refused socket reads again, or it would never read the client's answer to the close.
      const refuse = (code: number, reason: string) => {
        ws.resume();
        ws.close(code, reason);
      };
      sockets++;
      wsOpened();
      ws.once('close', () => {
        sockets--;
        wsClosed();
      });
      // The checks answer with close codes (the browser cannot read an HTTP refusal of an upgrade).
      o.widgets.find(devId).then(
        async (widget) => {
          if (ws.readyState !== ws.OPEN) return;
          if (!originAllowed(widget, origin)) return refuse(CloseCode.ORIGIN_NOT_ALLOWED, 'origin_not_allowed');
          // Per address here (the user is known only at auth, where the session checks them).
          const gate = await o.limits.take(widget, 'connect', { ip });
          if (ws.readyState !== ws.OPEN) return;
          if (!gate.allowed) {
            ws.send(JSON.stringify(rateLimitedFrame(gate)));
            return refuse(CloseCode.RATE_LIMITED, 'rate_limited');
          }
          const session = new SocketSession(ws, widget, deps, ip);
          ws.resume();
          sessions.add(session);
          ws.once('close', () => {
            sessions.delete(session);
            peakOfClosed = Math.max(peakOfClosed, session.peakQueuedBytes);
          });
        },
        () => refuse(CloseCode.WIDGET_NOT_FOUND, 'widget_not_found'),
      ).catch((err: unknown) => {
        o.log.error({ err }, 'websocket connection could not be set up');
        refuse(1011, 'internal_error');
      });
    });
  };
  server.on('upgrade', onUpgrade);

  /** One head query per widget with sockets here, then each socket behind it reads the log (SocketSession.settle). */
  const settleAll = (live: SocketSession[]) => {
    const byWidget = new Map<number, SocketSession[]>();
    for (const s of live) if (s.state === 'live') (byWidget.get(s.widgetId) ?? byWidget.set(s.widgetId, []).get(s.widgetId)!).push(s);
    for (const [widgetId, group] of byWidget) {
      o.store.logHead(widgetId).then(
        (head) => group.forEach((s) => s.settle(head)),
        (err: unknown) => o.log.warn({ err }, 'could not read the event log head to settle sockets'),
      );
    }
  };

  const heartbeat = setInterval(() => {
    for (const s of sessions) {
      if (!s.alive) {
        s.terminate();
        continue;
      }
      s.alive = false;
      s.ping();
    }
    if (!deps.ordered) settleAll([...sessions]);
  }, deps.heartbeatMs);
  heartbeat.unref();

  return {
    async close(code: number = CloseCode.SERVER_RESTART, reason = 'server_restart') {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      // Say goodbye properly, but do not wait more than a second for clients that do not answer.
      await Promise.all([...sessions].map((s) => s.goodbye(code, reason, 1000)));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
    stats() {
      let peak = peakOfClosed;
      for (const s of sessions) peak = Math.max(peak, s.peakQueuedBytes);
      return { sockets, peakQueuedBytes: peak };
    },
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}
