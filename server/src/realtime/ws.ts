// The WebSocket endpoint /api/v1/{dev_id}/ws: upgrade, auth handshake (with resume of the user's
// event stream), heartbeat, typing frames, and each ready socket registered with the hub and
// presence until it closes.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { verifyToken } from '../auth/token.ts';
import { AppError } from '../errors.ts';
import { findWidget, originAllowed } from '../http/tenant.ts';
import type { Store, WidgetRow } from '../store/types.ts';
import type { UsersDirectory } from '../users/directory.ts';
import { type Connection, type Hub, withEventId } from './hub.ts';
import type { Presence } from './presence.ts';
import { AUTH_TIMEOUT_MS, CloseCode, MAX_CLIENT_FRAME_BYTES, MAX_REPLAY_EVENTS, type ServerFrame } from './protocol.ts';
import { authFrame, clientFrame } from './schema.ts';
import type { Typing } from './typing.ts';

export interface RealtimeOptions {
  store: Store;
  hub: Hub;
  directory: UsersDirectory;
  presence: Presence;
  typing: Typing;
  /** The user came online: everything sent to them so far counts as delivered. */
  onReady: (widgetId: number, userId: string) => void;
  log: Logger;
  now: () => number;
  /** Clock skew tolerated on token `exp`, in seconds; the socket is closed at exp + leeway. */
  tokenLeewayS: number;
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
    wss.handleUpgrade(req, socket, head, (ws) => void accept(ws, req, safeDecode(match[1]!)));
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
    let userId = '';
    let expiryTimer: NodeJS.Timeout | undefined;

    const sendFrame = (f: ServerFrame) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(f));
    const sendRaw = (frame: string) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) {
        ws.close(CloseCode.SLOW_CONSUMER, 'slow_consumer');
        return;
      }
      ws.send(frame);
    };

    ws.on('close', () => {
      clearTimeout(authTimer);
      clearTimeout(expiryTimer);
      if (conn) {
        o.hub.remove(conn);
        o.presence.disconnected(widget.id, userId);
      }
    });

    async function authenticate(token: string, resumeFrom: number | undefined) {
      const verified = await verifyToken(token, widget.secretKey, o.now(), o.tokenLeewayS);
      userId = verified.userId;
      const { user } = await o.directory.get(widget, userId);
      if (ws.readyState !== WebSocket.OPEN) return;

      // Live events are held back while the missed ones are read, then those already replayed are skipped.
      let held: Array<{ frame: string; eventId: number | undefined }> | null = [];
      let replayedUpTo = 0;
      conn = {
        widgetId: widget.id,
        userId,
        send(frame, eventId) {
          if (held) held.push({ frame, eventId });
          else sendRaw(frame);
        },
      };
      o.hub.add(conn);
      o.presence.connected(widget.id, userId);

      let resumed = false;
      let lastEventId: number;
      let replay: Array<{ eventId: number; body: string }> = [];
      if (resumeFrom !== undefined) {
        const page = await o.store.readStream(widget.id, userId, resumeFrom, MAX_REPLAY_EVENTS);
        resumed = page.complete;
        replay = page.events;
        lastEventId = page.head;
      } else {
        lastEventId = await o.store.streamHead(widget.id, userId);
      }
      if (ws.readyState !== WebSocket.OPEN) return;
      state = 'ready';
      sendFrame({ type: 'ready', user, heartbeat_ms: heartbeatMs, last_event_id: lastEventId, resumed });
      for (const e of replay) sendRaw(withEventId(e.body, e.eventId));
      replayedUpTo = Math.max(lastEventId, replay.at(-1)?.eventId ?? 0);
      const pending = held;
      held = null;
      for (const h of pending) if (h.eventId === undefined || h.eventId > replayedUpTo) sendRaw(h.frame);

      o.onReady(widget.id, userId);
      // The same instant REST starts refusing the token, so a socket never outlives what REST accepts.
      const untilExpiry = (verified.exp + o.tokenLeewayS) * 1000 - o.now();
      if (untilExpiry < MAX_TIMER_MS) {
        expiryTimer = setTimeout(() => ws.close(CloseCode.AUTH_FAILED, 'token_expired'), Math.max(0, untilExpiry));
      }
    }

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
          await authenticate(auth.data.token, auth.data.resume_from);
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
        return;
      }
      const f = parsed.data;
      try {
        switch (f.type) {
          case 'ping':
            sendFrame({ type: 'pong' });
            break;
          case 'typing.start':
            if (!(await o.typing.start(widget.id, userId, f.dialog_id))) {
              sendFrame({ type: 'error', code: 'dialog_not_found', message: 'No such dialog, or you are not one of its members.' });
            }
            break;
          case 'typing.stop':
            await o.typing.stop(widget.id, userId, f.dialog_id);
            break;
          case 'auth':
            ws.close(CloseCode.PROTOCOL_ERROR, 'protocol_error');
            break;
        }
      } catch (err) {
        o.log.error({ err }, 'websocket frame failed');
        sendFrame({ type: 'error', code: 'internal_error', message: 'The frame could not be handled; try again.' });
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
      // Say goodbye properly, but do not wait more than a second for clients that do not answer.
      await Promise.all(
        [...wss.clients].map(
          (ws) =>
            new Promise<void>((resolve) => {
              const kill = setTimeout(() => ws.terminate(), 1000);
              ws.once('close', () => {
                clearTimeout(kill);
                resolve();
              });
              ws.close(code, reason);
            }),
        ),
      );
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
