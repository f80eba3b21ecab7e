// A WebSocket client for tests that reads the server's frames in order and waits for the ones it
// expects, and small guards for waiting on events. Imports nothing of the server but the protocol,
// so tests outside this package can use it against a server running elsewhere.
import { WebSocket } from 'ws';
import type { ServerFrame } from '../realtime/protocol.ts';

export interface WsClient {
  socket: WebSocket;
  frames: ServerFrame[];
  /** The oldest frame (of that type, if given) not yet taken, waiting for it if needed; others stay for later. */
  next<T extends ServerFrame['type']>(type?: T): Promise<Extract<ServerFrame, { type: T }>>;
  /** Resolves when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  close(): void;
}

/** Opens a socket and, when a token is given, authenticates and waits for `ready`. */
export async function connectWs(url: string, token: string | null, headers?: Record<string, string>): Promise<WsClient> {
  const socket = new WebSocket(url, headers ? { headers } : undefined);
  const frames: ServerFrame[] = [];
  const taken = new Set<number>();
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of waiters.splice(0)) w();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client: WsClient = {
    socket,
    frames,
    closed,
    async next(type) {
      for (;;) {
        const i = frames.findIndex((f, i) => !taken.has(i) && (!type || f.type === type));
        if (i >= 0) {
          taken.add(i);
          return frames[i] as never;
        }
        if (socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type ?? 'a frame'}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    close: () => socket.close(),
  };
  if (token) {
    client.send({ type: 'auth', token });
    await client.next('ready');
  }
  return client;
}

/** Resolves once the server has processed everything sent so far on this socket. */
export async function roundTrip(client: WsClient): Promise<void> {
  client.send({ type: 'ping' });
  await client.next('pong');
}

/**
 * `p`, or a failure naming `what` if it has not settled within `ms`: a guard that turns a missing
 * event into a clear failure instead of a hung test, never a measure of how long something takes.
 */
export function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing happened within ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}
