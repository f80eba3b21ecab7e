// The load worker's sockets: opens and authenticates one socket per bench user against any of the
// three targets, and hands every message.new text (not the user's own) to one callback.
import { WebSocket } from 'ws';
import { io, type Socket } from 'socket.io-client';
import type { ClientSpec, ConnectCmd, ConnectResult, TargetKind } from '../lib/protocol.ts';

export type OnText = (text: string) => void;

interface Conn {
  close(): void;
}

const open = new Set<Conn>();
/** Frames other than message.new after ready (receipts, presence, typing…): what fan-out costs clients. */
let otherFrames = 0;
export function takeOtherFrames(): number {
  const n = otherFrames;
  otherFrames = 0;
  return n;
}
const AUTH_TIMEOUT_MS = 30_000;

function wsUrl(baseUrl: string, target: TargetKind, devId: string): string {
  const u = baseUrl.replace(/^http/, 'ws');
  return target === 'imbachat' ? `${u}/api/v1/${devId}/ws` : `${u}/`;
}

/** Parses only as far as needed: the text is the payload; the sender filter drops own echoes. */
function textOf(frame: string, self: string): string | null {
  if (!frame.includes('"message.new"')) {
    otherFrames++;
    return null;
  }
  const f = JSON.parse(frame) as { type?: string; message?: { text?: string; sender_id?: string } };
  if (f.type !== 'message.new' || !f.message || f.message.sender_id === self) return null;
  return f.message.text ?? null;
}

function connectWs(url: string, spec: ClientSpec, onText: OnText): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const self = String(spec.userId);
    let ready = false;
    const timer = setTimeout(() => fail(new Error('auth timeout')), AUTH_TIMEOUT_MS);
    const conn: Conn = { close: () => ws.terminate() };
    function fail(err: Error) {
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    }
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: spec.token })));
    ws.on('error', (err) => (ready ? undefined : fail(err)));
    ws.on('close', (code) => {
      open.delete(conn);
      if (!ready) fail(new Error(`closed before ready (${code})`));
    });
    ws.on('message', (data) => {
      const frame = data.toString();
      if (!ready) {
        if (frame.includes('"ready"')) {
          ready = true;
          clearTimeout(timer);
          open.add(conn);
          resolve(conn);
        }
        return;
      }
      const text = textOf(frame, self);
      if (text !== null) onText(text);
    });
  });
}

function connectSocketIo(url: string, spec: ClientSpec, onText: OnText): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const self = String(spec.userId);
    const socket: Socket = io(url, {
      transports: ['websocket'],
      auth: { user_id: spec.userId },
      reconnection: false,
      forceNew: true,
      timeout: AUTH_TIMEOUT_MS,
    });
    const conn: Conn = { close: () => socket.disconnect() };
    socket.once('ready', () => {
      open.add(conn);
      resolve(conn);
    });
    socket.once('connect_error', (err) => reject(err));
    socket.on('disconnect', () => open.delete(conn));
    socket.on('message.new', (f: { message?: { text?: string; sender_id?: string } }) => {
      if (f.message && f.message.sender_id !== self && f.message.text) onText(f.message.text);
    });
  });
}

export async function connectAll(cmd: ConnectCmd, onText: OnText): Promise<ConnectResult> {
  const url = wsUrl(cmd.baseUrl, cmd.target, cmd.devId);
  let next = 0;
  let ready = 0;
  let failed = 0;
  let firstError: string | null = null;
  // A bounded number of handshakes in flight: thousands at once only measure the accept backlog.
  await Promise.all(
    Array.from({ length: Math.min(cmd.concurrency, cmd.clients.length) }, async () => {
      while (next < cmd.clients.length) {
        const spec = cmd.clients[next++]!;
        try {
          await (cmd.target === 'socketio' ? connectSocketIo(url, spec, onText) : connectWs(url, spec, onText));
          ready++;
        } catch (err) {
          failed++;
          firstError ??= String((err as Error).message ?? err);
        }
      }
    }),
  );
  return { ready, failed, firstError };
}

export function closeAll(): number {
  const n = open.size;
  for (const c of [...open]) c.close();
  open.clear();
  return n;
}
