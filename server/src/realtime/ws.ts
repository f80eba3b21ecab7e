// The WebSocket endpoint /api/v1/{dev_id}/ws: upgrade, widget and origin checks, one
// SocketSession per socket (session.ts), and the heartbeat that drops sockets that stopped answering.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type WidgetCache, originAllowed } from '../http/tenant.ts';
import { type Timers, realTimers } from '../util/timers.ts';
import { AUTH_TIMEOUT_MS, CloseCode, MAX_CLIENT_FRAME_BYTES } from './protocol.ts';
import { type SessionDeps, SocketSession } from './session.ts';

export interface RealtimeOptions extends Omit<SessionDeps, 'timers' | 'heartbeatMs' | 'authTimeoutMs' | 'maxBufferedBytes'> {
  widgets: WidgetCache;
  /** For the sessions' auth timeout and token-expiry close (default: the process's own). */
  timers?: Timers;
  heartbeatMs?: number;
  authTimeoutMs?: number;
  maxBufferedBytes?: number;
}

const PATH = /^\/api\/v1\/([^/]+)\/ws\/?$/;

export interface Realtime {
  close(code?: number, reason?: string): Promise<void>;
}

export function attachRealtime(server: Server, o: RealtimeOptions): Realtime {
  const deps: SessionDeps = {
    ...o,
    timers: o.timers ?? realTimers,
    heartbeatMs: o.heartbeatMs ?? 25_000,
    authTimeoutMs: o.authTimeoutMs ?? AUTH_TIMEOUT_MS,
    maxBufferedBytes: o.maxBufferedBytes ?? 4 * 1024 * 1024,
  };
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
    wss.handleUpgrade(req, socket, head, (ws) => {
      // The checks answer with close codes (the browser cannot read an HTTP refusal of an upgrade).
      o.widgets.find(devId).then(
        (widget) => {
          if (ws.readyState !== ws.OPEN) return;
          if (!originAllowed(widget, origin)) return ws.close(CloseCode.ORIGIN_NOT_ALLOWED, 'origin_not_allowed');
          const session = new SocketSession(ws, widget, deps);
          sessions.add(session);
          ws.once('close', () => sessions.delete(session));
        },
        () => ws.close(CloseCode.WIDGET_NOT_FOUND, 'widget_not_found'),
      );
    });
  };
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    for (const s of sessions) {
      if (!s.alive) {
        s.terminate();
        continue;
      }
      s.alive = false;
      s.ping();
    }
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
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}
