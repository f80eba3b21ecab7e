// Plays generated frames on real sockets and judges what comes back: only frames of the protocol
// (error frames with a known code), closes with a protocol close code, never 1011 or a dropped
// connection, and a socket that answers (or has been closed) once its frames are handled.
import { WebSocket } from 'ws';
import { CloseCode, ErrorCodes, MAX_BAD_FRAMES, MAX_CLIENT_FRAME_BYTES, type ServerFrameType } from '../../realtime/protocol.ts';
import { clientFrame } from '../../realtime/schema.ts';
import { within } from '../ws-client.ts';
import type { FrameCase } from './frames.ts';

const frameTypes: Record<ServerFrameType, true> = {
  ready: true,
  pong: true,
  synced: true,
  error: true,
  'typing.start': true,
  'typing.stop': true,
  presence: true,
  'message.read': true,
  'message.delivered': true,
  'message.new': true,
  'dialog.updated': true,
};
const codes = new Set<string>(ErrorCodes);
/** The protocol's close codes, a normal close, and what the WebSocket layer itself answers to invalid UTF-8 (1007), policy (1008) and oversized frames (1009). */
const closeCodes = new Set<number>([...Object.values(CloseCode), 1000, 1007, 1008, 1009]);
const STACK = /\n\s+at |"stack"\s*:/;

interface Socket {
  ws: WebSocket;
  received: string[];
  problems: string[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves when a frame of this type has arrived `count` times in all, or the socket closed. */
  until(type: string, count: number): Promise<void>;
  isClosed(): boolean;
}

function open(url: string, secrets: string[]): Promise<Socket> {
  const ws = new WebSocket(url);
  const received: string[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const waiters = new Set<() => void>();
  let done = false;
  ws.on('message', (data, isBinary) => {
    const text = data.toString();
    received.push(text);
    if (isBinary) problems.push('the server sent a binary frame');
    if (STACK.test(text)) problems.push(`a frame carries a stack trace: ${text.slice(0, 200)}`);
    if (secrets.some((s) => text.includes(s))) problems.push('a frame carries a token');
    let frame: { type?: unknown; code?: unknown; message?: unknown };
    try {
      frame = JSON.parse(text);
    } catch {
      problems.push(`a frame that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (typeof frame?.type !== 'string' || !(frame.type in frameTypes)) problems.push(`a frame of no protocol type: ${text.slice(0, 200)}`);
    else if (frame.type === 'error' && (typeof frame.code !== 'string' || !codes.has(frame.code) || typeof frame.message !== 'string' || !frame.message)) {
      problems.push(`an error frame without a known code and a message: ${text.slice(0, 200)}`);
    }
    if (typeof frame?.type === 'string') seen.set(frame.type, (seen.get(frame.type) ?? 0) + 1);
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      done = true;
      const r = reason.toString();
      if (!closeCodes.has(code)) problems.push(`closed with ${code} ${r}`);
      if (STACK.test(r) || secrets.some((s) => r.includes(s))) problems.push(`a close reason that says too much: ${r.slice(0, 200)}`);
      resolve({ code, reason: r });
      for (const w of waiters) w();
    }),
  );
  ws.on('error', (err) => problems.push(`socket error: ${err.message}`));
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        received,
        problems,
        closed,
        isClosed: () => done,
        until: (type, count) =>
          new Promise<void>((r) => {
            const check = () => {
              if (done || (seen.get(type) ?? 0) >= count) {
                waiters.delete(check);
                r();
              }
            };
            waiters.add(check);
            check();
          }),
      }),
    );
    // ws reports a refused upgrade as "Unexpected server response: 404".
    ws.once('error', reject);
  });
}

function sendFrame(ws: WebSocket, f: FrameCase): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(f.data, { binary: f.kind === 'binary' });
}

/**
 * How an authenticated session takes a frame, by the server's own schema: `fatal` ends the socket
 * (invalid UTF-8: 1007, oversized: 1009, a second auth: 4003), `bad` earns an error frame and
 * counts toward MAX_BAD_FRAMES, `ping` earns a pong.
 */
function classify(f: FrameCase): 'fatal' | 'bad' | 'ping' | 'ok' {
  if (f.kind === 'text-bytes' || Buffer.byteLength(f.data) > MAX_CLIENT_FRAME_BYTES) return 'fatal';
  if (f.kind === 'binary') return 'bad';
  let raw: unknown;
  try {
    raw = JSON.parse(f.data);
  } catch {
    return 'bad';
  }
  const parsed = clientFrame.safeParse(raw);
  if (!parsed.success) return 'bad';
  return parsed.data.type === 'auth' ? 'fatal' : parsed.data.type === 'ping' ? 'ping' : 'ok';
}

/**
 * Splits generated frames into one run per socket, each within what a socket may send before it
 * is closed for them (MAX_BAD_FRAMES bad frames, or one fatal frame, last), so the frames after
 * them still reach a live session instead of a closed socket.
 */
export function socketRuns(frames: FrameCase[]): FrameCase[][] {
  const runs: FrameCase[][] = [];
  let run: FrameCase[] = [];
  let bad = 0;
  for (const f of frames) {
    const kind = classify(f);
    run.push(f);
    if (kind === 'bad') bad++;
    if (kind === 'fatal' || bad === MAX_BAD_FRAMES) {
      runs.push(run);
      run = [];
      bad = 0;
    }
  }
  if (run.length) runs.push(run);
  return runs;
}

async function finish(s: Socket, what: string): Promise<string[]> {
  if (!s.isClosed()) s.ws.close(1000);
  await within(s.closed, `${what}: the close handshake`, 10_000);
  return s.problems;
}

/**
 * Frames on a socket that has not authenticated: the first one decides (auth, refusal or
 * protocol error); a socket the server accepted gets a ping to prove it still answers.
 */
export async function playBeforeAuth(url: string, frames: FrameCase[], secrets: string[]): Promise<string[]> {
  const s = await open(url, secrets);
  for (const f of frames) sendFrame(s.ws, f);
  await within(s.until('ready', 1), 'an unauthenticated socket neither got ready nor was closed', 10_000);
  if (!s.isClosed()) {
    const pongs = s.received.filter((t) => t.includes('"pong"')).length;
    s.ws.send(JSON.stringify({ type: 'ping' }));
    await within(s.until('pong', pongs + 1), 'an authenticated socket did not answer a ping', 10_000);
  }
  return finish(s, 'before auth');
}

/**
 * One run of socketRuns on an authenticated socket. A run that ends in a fatal frame must get the
 * socket closed (with a protocol code); any other must be answered to the end: a ping sent after
 * it gets its pong only once every frame before it was handled.
 */
export async function playAfterAuth(url: string, token: string, frames: FrameCase[], secrets: string[]): Promise<string[]> {
  const s = await open(url, secrets);
  s.ws.send(JSON.stringify({ type: 'auth', token }));
  await within(s.until('ready', 1), 'the valid token got no ready frame', 10_000);
  if (s.isClosed()) return [...s.problems, `the valid token was refused: ${JSON.stringify(await s.closed)}`];
  for (const f of frames) sendFrame(s.ws, f);
  const kinds = frames.map(classify);
  if (kinds.at(-1) === 'fatal') {
    await within(s.closed, 'a fatal frame did not close the socket', 10_000);
    return s.problems;
  }
  sendFrame(s.ws, { kind: 'text', data: JSON.stringify({ type: 'ping' }) });
  await within(s.until('pong', kinds.filter((k) => k === 'ping').length + 1), 'a socket neither answered its last ping nor was closed', 10_000);
  if (s.isClosed()) s.problems.push(`closed before answering its frames: ${JSON.stringify(await s.closed)}`);
  return finish(s, 'after auth');
}

/** An upgrade to a path that is not a widget's socket: refused over HTTP below 500, or closed with a code. */
export async function playUpgrade(url: string, secrets: string[]): Promise<string[]> {
  try {
    const s = await open(url, secrets);
    return finish(s, 'an upgrade');
  } catch (err) {
    const m = /Unexpected server response: (\d{3})/.exec((err as Error).message);
    if (m && Number(m[1]) < 500) return [];
    return [`the upgrade failed: ${(err as Error).message}`];
  }
}
