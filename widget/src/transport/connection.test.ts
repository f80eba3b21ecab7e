// The connection state machine against a real WebSocket server (the `ws` package) on an
// ephemeral port, playing the chat server's part frame by frame.
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Connection, type ConnectionOptions, type ConnectionState, type SocketLike, type StateChange } from './connection.ts';
import { backoffDelay } from './backoff.ts';

let wss: WebSocketServer;
let url: string;
const serverSockets: WebSocket[] = [];
const authFrames: { token: string; resume_from?: number }[] = [];
let onAuth: (ws: WebSocket, frame: { token: string }) => void;

beforeEach(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  serverSockets.length = 0;
  authFrames.length = 0;
  onAuth = (ws) => ready(ws);
  wss.on('connection', (ws) => {
    serverSockets.push(ws);
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; token: string };
      if (frame.type === 'auth') {
        authFrames.push(frame);
        onAuth(ws, frame);
      } else if (frame.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
  });
});
afterEach(async () => {
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
});

function ready(ws: WebSocket) {
  ws.send(JSON.stringify({ type: 'ready', user: { user_id: '1', name: 'A', avatar_url: null, profile_url: null }, heartbeat_ms: 25000, last_event_id: 0, resumed: false }));
}

function open(extra: Partial<ConnectionOptions> = {}) {
  const states: ConnectionState[] = [];
  const changes: StateChange[] = [];
  const frames: string[] = [];
  const stops: string[] = [];
  let token = 'a.b.c';
  const waiters: { pred: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.pred()) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
  };
  const conn = new Connection({
    url,
    token: () => token,
    refreshToken: async () => null,
    onState: (s) => (states.push(s.newState), changes.push(s), check()),
    onFrame: (f) => (frames.push(f.type), check()),
    onStop: (code) => (stops.push(code), check()),
    socket: (u) => new WebSocket(u) as unknown as SocketLike,
    backoff: { minMs: 10, maxMs: 40 },
    ...extra,
  });
  const until = (pred: () => boolean) => new Promise<void>((resolve) => (pred() ? resolve() : waiters.push({ pred, resolve })));
  return { conn, states, changes, frames, stops, until, setToken: (t: string) => (token = t) };
}

it('sends the auth frame first and is connected after ready', async () => {
  const c = open();
  c.conn.connect();
  await c.until(() => c.conn.state === 'connected');
  expect(authFrames).toEqual([{ type: 'auth', token: 'a.b.c' }]);
  expect(c.states).toEqual(['connecting', 'connected']);
  expect(c.frames).toEqual(['ready']);
  c.conn.close();
});

it('reconnects after the server restarts (4000), with backoff, and resets the attempts once ready', async () => {
  const c = open();
  c.conn.connect();
  await c.until(() => c.conn.state === 'connected');
  serverSockets[0]!.close(4000, 'server_restart');
  await c.until(() => c.states.filter((s) => s === 'connected').length === 2);
  // Honest states: while it will retry it is connecting, never disconnected; each change says
  // where it came from, and whether it is a retry (what a person should be told about).
  expect(c.changes.map(({ oldState, newState, retrying }) => ({ oldState, newState, retrying }))).toEqual([
    { oldState: 'disconnected', newState: 'connecting', retrying: false },
    { oldState: 'connecting', newState: 'connected', retrying: false },
    { oldState: 'connected', newState: 'connecting', retrying: true },
    { oldState: 'connecting', newState: 'connected', retrying: false },
  ]);
  expect(c.changes[2]).toMatchObject({ code: 4000, reason: 'server_restart' });
  expect(c.conn.attempt).toBe(0);
  c.conn.close();
  expect(c.changes.at(-1)).toMatchObject({ oldState: 'connected', newState: 'disconnected', retrying: false });
});

it('reconnects when the socket closes before the auth reply, reporting a retry while it stays connecting', async () => {
  let first = true;
  onAuth = (ws) => {
    if (first) {
      first = false;
      ws.terminate();
    } else ready(ws);
  };
  const c = open();
  c.conn.connect();
  await c.until(() => c.conn.state === 'connected');
  expect(authFrames).toHaveLength(2);
  expect(c.states).toEqual(['connecting', 'connecting', 'connected']);
  expect(c.changes[1]).toMatchObject({ oldState: 'connecting', newState: 'connecting', retrying: true });
  c.conn.close();
});

it('on 4001 token_expired asks for a fresh token and authenticates with it', async () => {
  onAuth = (ws, frame) => (frame.token === 'fresh.to.ken' ? ready(ws) : ws.close(4001, 'token_expired'));
  const c = open({ refreshToken: async () => (c.setToken('fresh.to.ken'), 'fresh.to.ken') });
  c.conn.connect();
  await c.until(() => c.conn.state === 'connected');
  expect(authFrames.map((f) => f.token)).toEqual(['a.b.c', 'fresh.to.ken']);
  expect(c.stops).toEqual([]);
  c.conn.close();
});

it('stops on 4001 when the page has no fresh token, instead of looping', async () => {
  onAuth = (ws) => ws.close(4001, 'token_expired');
  const c = open();
  c.conn.connect();
  await c.until(() => c.stops.length > 0);
  expect(c.stops).toEqual(['token_expired']);
  expect(authFrames).toHaveLength(1);
  expect(c.conn.state).toBe('disconnected');
});

it('does not reconnect after 4500 widget_not_found', async () => {
  onAuth = (ws) => ws.close(4500, 'widget_not_found');
  const c = open();
  c.conn.connect();
  await c.until(() => c.stops.length > 0);
  expect(c.stops).toEqual(['widget_not_found']);
  c.conn.retryNow();
  expect(c.conn.state).toBe('disconnected');
});

it('calls a link dead when pongs stop coming, and reconnects', async () => {
  let answerPings = false;
  wss.on('connection', (ws) => {
    const original = ws.send.bind(ws);
    ws.send = ((data: string, ...rest: never[]) => {
      if (!answerPings && String(data).includes('pong')) return;
      return original(data, ...rest);
    }) as typeof ws.send;
  });
  const c = open({ pingIntervalMs: 20, timeoutMs: 50 });
  c.conn.connect();
  await c.until(() => c.conn.state === 'connected');
  await c.until(() => c.changes.some((s) => s.reason === 'no_pong' && s.newState === 'connecting'));
  answerPings = true;
  await c.until(() => c.states.filter((s) => s === 'connected').length === 2);
  c.conn.close();
});

it('backoff is min plus a jitter over a doubling window, capped, and never 0 ms', () => {
  const opts = { minMs: 100, maxMs: 1000 };
  expect(backoffDelay(0, opts, () => 0)).toBe(100);
  expect(backoffDelay(0, opts, () => 0.999)).toBeLessThan(200);
  expect(backoffDelay(2, opts, () => 0.999)).toBeLessThan(500);
  expect(backoffDelay(2, opts, () => 0.999)).toBeGreaterThanOrEqual(499);
  expect(backoffDelay(50, opts, () => 0.999)).toBe(1000);
  expect(backoffDelay(50, opts, () => 0)).toBe(100);
});

it('resumes the event stream after a drop: resume_from is the last applied event_id, duplicates are dropped', async () => {
  const event = (id: number) => JSON.stringify({ event_id: id, type: 'message.read', dialog_id: 1, user_id: '2', message_id: id, seq: id });
  onAuth = (ws, frame) => {
    const resumeFrom = (frame as { resume_from?: number }).resume_from;
    ws.send(JSON.stringify({ type: 'ready', user: { user_id: '1', name: 'A', avatar_url: null, profile_url: null }, heartbeat_ms: 25000, last_event_id: resumeFrom ?? 5, resumed: resumeFrom !== undefined }));
    if (resumeFrom === undefined) {
      ws.send(event(6));
      ws.send(event(7));
    } else {
      ws.send(event(7)); // a duplicate the client already has
      ws.send(event(8));
    }
  };
  const resumed: boolean[] = [];
  const c = open({ onReady: (r) => resumed.push(r) });
  c.conn.connect();
  await c.until(() => c.frames.length === 3);
  serverSockets[0]!.close(4000, 'server_restart');
  await c.until(() => c.frames.length === 5);
  expect(authFrames[1]).toEqual({ type: 'auth', token: 'a.b.c', resume_from: 7 });
  expect(resumed).toEqual([false, true]);
  expect(c.frames).toEqual(['ready', 'message.read', 'message.read', 'ready', 'message.read']);
  expect(c.conn.lastEventId).toBe(8);
  c.conn.close();
});

it('applies event_ids that skip numbers (the log is shared by the whole widget) without reconnecting', async () => {
  const read = (id: number) => JSON.stringify({ event_id: id, type: 'message.read', dialog_id: 1, user_id: '2', message_id: id, seq: id });
  onAuth = (ws) => {
    ws.send(JSON.stringify({ type: 'ready', user: { user_id: '1', name: 'A', avatar_url: null, profile_url: null }, heartbeat_ms: 25000, last_event_id: 1, resumed: false }));
    for (const id of [3, 10, 42]) ws.send(read(id));
  };
  const c = open();
  c.conn.connect();
  await c.until(() => c.conn.lastEventId === 42);
  expect(c.frames).toEqual(['ready', 'message.read', 'message.read', 'message.read']);
  expect(authFrames).toHaveLength(1);
  expect(c.states).toEqual(['connecting', 'connected']);
  c.conn.close();
});

it('drops a frame already applied or from before the stream started, and takes one that arrives late (one node overtaking another)', async () => {
  const frame = (id: number, type: string) => JSON.stringify({ event_id: id, type, dialog_id: 1, user_id: '2', message_id: id, seq: id });
  onAuth = (ws) => {
    ws.send(JSON.stringify({ type: 'ready', user: { user_id: '1', name: 'A', avatar_url: null, profile_url: null }, heartbeat_ms: 25000, last_event_id: 5, resumed: false }));
    ws.send(frame(9, 'message.read'));
    ws.send(frame(9, 'message.new')); // 9 again: a duplicate
    ws.send(frame(7, 'message.delivered')); // late: committed before 9, published after it
    ws.send(frame(7, 'message.delivered')); // and again: a duplicate
    ws.send(frame(4, 'message.new')); // before ready's position: the app loaded it over REST
    ws.send(frame(12, 'message.delivered'));
  };
  const c = open();
  c.conn.connect();
  await c.until(() => c.conn.lastEventId === 12);
  expect(c.frames).toEqual(['ready', 'message.read', 'message.delivered', 'message.delivered']);
  expect(authFrames).toHaveLength(1);
  c.conn.close();
});

it('on an unordered stream (several nodes) resumes from the last synced position and skips the replayed events it has, so one that never came live arrives', async () => {
  const event = (id: number) => JSON.stringify({ event_id: id, type: 'message.read', dialog_id: 1, user_id: '2', message_id: id, seq: id });
  const readyFrame = (last: number, resumed: boolean) =>
    JSON.stringify({ type: 'ready', user: { user_id: '1', name: 'A', avatar_url: null, profile_url: null }, heartbeat_ms: 25000, last_event_id: last, resumed, ordered: false });
  onAuth = (ws, frame) => {
    const resumeFrom = (frame as { resume_from?: number }).resume_from;
    if (resumeFrom === undefined) {
      ws.send(readyFrame(5, false));
      ws.send(event(8)); // 6 was committed first, but its publish is lost (its node died)
      ws.send(event(9));
    } else if (resumeFrom === 5) {
      ws.send(readyFrame(9, true));
      for (const id of [6, 8, 9]) ws.send(event(id)); // the log from the settled position
      ws.send(JSON.stringify({ type: 'synced', last_event_id: 9 }));
    } else {
      ws.send(readyFrame(resumeFrom, true));
      ws.send(event(11));
    }
  };
  const c = open();
  c.conn.connect();
  await c.until(() => c.frames.length === 3);
  serverSockets[0]!.close(4000, 'server_restart');
  await c.until(() => c.frames.length === 6);
  expect(authFrames[1]).toMatchObject({ resume_from: 5 }); // not 9: 6 may be missing
  expect(c.frames).toEqual(['ready', 'message.read', 'message.read', 'ready', 'message.read', 'synced']); // 6 once; 8 and 9 not again
  serverSockets[1]!.close(4000, 'server_restart');
  await c.until(() => c.frames.length === 8);
  expect(authFrames[2]).toMatchObject({ resume_from: 9 });
  expect(c.conn.lastEventId).toBe(11);
  c.conn.close();
});

it('on an ordered stream (one node) resumes from the highest event applied', async () => {
  onAuth = (ws, frame) => {
    const resumeFrom = (frame as { resume_from?: number }).resume_from;
    ws.send(JSON.stringify({ type: 'ready', user: { user_id: '1', name: 'A', avatar_url: null, profile_url: null }, heartbeat_ms: 25000, last_event_id: resumeFrom ?? 5, resumed: resumeFrom !== undefined }));
    if (resumeFrom === undefined) ws.send(JSON.stringify({ event_id: 9, type: 'message.read', dialog_id: 1, user_id: '2', message_id: 9, seq: 9 }));
  };
  const c = open();
  c.conn.connect();
  await c.until(() => c.frames.length === 2);
  serverSockets[0]!.close(4000, 'server_restart');
  await c.until(() => c.frames.length === 3);
  expect(authFrames[1]).toMatchObject({ resume_from: 9 });
  c.conn.close();
});
