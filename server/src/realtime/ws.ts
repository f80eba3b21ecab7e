// The WebSocket endpoint /api/v1/{dev_id}/ws: upgrade, auth handshake, heartbeat, and each
// authenticated socket registered with the hub until it closes.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { verifyToken } from '../auth/token.ts';
import { AppError } from '../errors.ts';
import { findWidget, originAllowed } from '../http/tenant.ts';
import type { Store, WidgetRow } from '../store/types.ts';
import type { UsersDirectory } from '../users/directory.ts';
import type { Connection, Hub } from './hub.ts';
import { AUTH_TIMEOUT_MS, CloseCode, MAX_CLIENT_FRAME_BYTES, type ServerFrame } from './protocol.ts';
import { authFrame, clientFrame } from './schema.ts';

export interface RealtimeOptions {
  store: Store;
  hub: Hub;
  directory: UsersDirectory;
  log: Logger;
  now: () => number;
  heartbeatMs?: number;
  authTimeoutMs?: number;
  /** Bytes queued on one socket beyond which it is dropped as too slow. */
  maxBufferedBytes?: number;
}

const PATH = /^\/api\/v1\/([^/]+)\/ws\/?$/;
/** setTimeout's ceiling; tokens expiring later are simply not timed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Realtime {
  close(code?: number, reason?: string): Promise<void>;
}

export function attachRealtime(server: Server, o: RealtimeOptions): Realtime {
  const heartbeatMs = o.heartbeatMs ?? 25_000;
  const authTimeoutMs = o.authTimeoutMs ?? AUTH_TIMEOUT_MS;
  const maxBuffered = o.maxBufferedBytes ?? 4 * 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const match = PATH.exec(path);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void accept(ws, req, decodeURIComponent(match[1]!)));
  };
  server.on('upgrade', onUpgrade);

  async function accept(ws: WebSocket, req: IncomingMessage, devId: string) {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (err) => o.log.debug({ err: err.message }, 'websocket error'));
    let widget: WidgetRow;
    try {
      widget = await findWidget(o.store, devId);
    } catch {
      ws.close(CloseCode.WIDGET_NOT_FOUND, 'widget_not_found');
      return;
    }
    if (!originAllowed(widget, req.headers.origin)) {
      ws.close(CloseCode.ORIGIN_NOT_ALLOWED, 'origin_not_allowed');
      return;
    }
    const authTimer = setTimeout(() => ws.close(CloseCode.AUTH_TIMEOUT, 'auth_timeout'), authTimeoutMs);
    let state: 'waiting' | 'verifying' | 'ready' = 'waiting';
    let conn: Connection | null = null;
    let expiryTimer: NodeJS.Timeout | undefined;

    const sendFrame = (f: ServerFrame) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(f));

    ws.on('close', () => {
      clearTimeout(authTimer);
      clearTimeout(expiryTimer);
      if (conn) o.hub.remove(conn);
    });

    ws.on('message', async (data, isBinary) => {
      alive.set(ws, true);
      let raw: unknown;
      try {
        raw = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        raw = undefined;
      }
      if (state === 'waiting') {
        const auth = authFrame.safeParse(raw);
        if (!auth.success) {
          ws.close(CloseCode.PROTOCOL_ERROR, 'protocol_error');
          return;
        }
        state = 'verifying';
        clearTimeout(authTimer);
        try {
          const token = await verifyToken(auth.data.token, widget.secretKey, o.now());
          const { user } = await o.directory.get(widget, token.userId);
          if (ws.readyState !== WebSocket.OPEN) return;
          conn = {
            widgetId: widget.id,
            userId: token.userId,
            send(frame) {
              if (ws.readyState !== WebSocket.OPEN) return;
              if (ws.bufferedAmount > maxBuffered) {
                ws.close(CloseCode.SLOW_CONSUMER, 'slow_consumer');
                return;
              }
              ws.send(frame);
            },
          };
          state = 'ready';
          sendFrame({ type: 'ready', user, heartbeat_ms: heartbeatMs });
          o.hub.add(conn);
          const untilExpiry = token.exp * 1000 - o.now();
          if (untilExpiry < MAX_TIMER_MS) {
            expiryTimer = setTimeout(() => ws.close(CloseCode.AUTH_FAILED, 'token_expired'), Math.max(0, untilExpiry));
          }
        } catch (err) {
          if (err instanceof AppError) ws.close(CloseCode.AUTH_FAILED, err.code);
          else {
            o.log.error({ err }, 'websocket auth failed unexpectedly');
            ws.close(1011, 'internal_error');
          }
        }
        return;
      }
      if (state === 'verifying') return;
      const parsed = clientFrame.safeParse(raw);
      if (!parsed.success) {
        sendFrame({ type: 'error', code: 'bad_frame', message: 'Unknown or malformed frame; see the protocol documentation.' });
      } else if (parsed.data.type === 'ping') {
        sendFrame({ type: 'pong' });
      } else {
        ws.close(CloseCode.PROTOCOL_ERROR, 'protocol_error');
      }
    });
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  return {
    async close(code: number = CloseCode.SERVER_RESTART, reason = 'server_restart') {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.close(code, reason);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
