// Sending: an optimistic pending bubble, sent once the server answers; resent automatically with the
// same client_msg_id while unanswered (so the server stores it once), kept in the tab across a reload.
import type { Dialog, Message } from '@imbachat/server/protocol';
import { expect, it, vi } from 'vitest';
import type { SocketLike } from '../transport/connection.ts';
import { Chat } from './chat.ts';

const me = { user_id: '1', name: 'Me', avatar_url: null, profile_url: null };
const bob = { user_id: '2', name: 'Bob', avatar_url: null, profile_url: null };
const dialog: Dialog = { id: 7, type: 'direct', title: null, member_count: 2, members: [me, bob], members_state: [], last_message: null, unread_count: 0, last_read_seq: 0, updated_at: '2026-01-01T00:00:00.000Z' };

function fakeServer() {
  const posts: { text: string; client_msg_id: string }[] = [];
  const stored = new Map<string, Message>();
  let down = false;
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    if (url.endsWith('/me')) return json(me);
    if (url.includes('/dialogs?')) return json({ items: [dialog], next_cursor: null });
    if (url.includes('/messages?')) return json({ items: [], next_cursor: null });
    if (url.endsWith('/messages') && init?.method === 'POST') {
      if (down) throw new TypeError('Failed to fetch');
      const body = JSON.parse(String(init.body)) as { text: string; client_msg_id: string };
      posts.push(body);
      const known = stored.get(body.client_msg_id);
      if (known) return json(known, 200);
      const m: Message = { id: stored.size + 1, dialog_id: 7, seq: stored.size + 1, sender_id: '1', text: body.text, client_msg_id: body.client_msg_id, created_at: new Date().toISOString() };
      stored.set(body.client_msg_id, m);
      return json(m, 201);
    }
    return json({ error: { code: 'not_found', message: url } }, 404);
  }) as typeof fetch;
  return { fetchImpl, posts, stored, setDown: (d: boolean) => (down = d) };
}

const silentSocket = (): SocketLike => ({ onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} });

function makeChat(server: ReturnType<typeof fakeServer>) {
  return new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, fetch: server.fetchImpl, socket: silentSocket, storage: null, prefs: null });
}

const settle = () => new Promise((r) => setTimeout(r, 0));

it('a message shows as pending at once and as sent when the server answers, with the same key', async () => {
  const server = fakeServer();
  const chat = makeChat(server);
  await chat.loadThread(7);
  expect(chat.send(7, '  Hello Bob  ')).toBe(true);
  const thread = chat.messages.thread(7);
  expect(thread.items.value).toMatchObject([{ text: 'Hello Bob', status: 'pending' }]);
  const key = thread.items.value[0]!.key;
  await settle();
  await settle();
  expect(thread.items.value).toMatchObject([{ key, status: 'sent', id: 1, seq: 1 }]);
  chat.dispose();
});

it('a send that gets no answer stays pending and is resent with the same client_msg_id until acknowledged, shown once', async () => {
  vi.useFakeTimers();
  try {
    const server = fakeServer();
    const chat = makeChat(server);
    await chat.loadThread(7);
    server.setDown(true);
    chat.send(7, 'Are you there?');
    const thread = chat.messages.thread(7);
    await vi.advanceTimersByTimeAsync(0);
    expect(thread.items.value).toMatchObject([{ status: 'pending' }]);
    const { key, client_msg_id } = thread.items.value[0]!;
    await vi.advanceTimersByTimeAsync(5_000); // a few resends, all unanswered
    expect(thread.items.value).toMatchObject([{ key, status: 'pending' }]);
    server.setDown(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(thread.items.value).toMatchObject([{ key, status: 'sent', client_msg_id }]);
    expect(server.posts.map((p) => p.client_msg_id)).toEqual([client_msg_id]);
    await chat.deliver(7, key); // nothing left to send
    expect(server.posts).toHaveLength(1);
    expect(server.stored.size).toBe(1);
    chat.dispose();
  } finally {
    vi.useRealTimers();
  }
});

it('an acknowledgement lost on the way is harmless: the resend gets the stored message back, once', async () => {
  const server = fakeServer();
  let loseAnswer = true;
  const lossy = (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await server.fetchImpl(input, init);
    if (init?.method === 'POST' && loseAnswer) {
      loseAnswer = false;
      throw new TypeError('Failed to fetch'); // stored on the server, answer lost
    }
    return res;
  }) as typeof fetch;
  const chat = new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, fetch: lossy, socket: silentSocket, storage: null, prefs: null });
  await chat.loadThread(7);
  chat.send(7, 'Only once');
  const thread = chat.messages.thread(7);
  await settle();
  expect(thread.items.value).toMatchObject([{ status: 'pending' }]);
  await chat.deliver(7, thread.items.value[0]!.key);
  expect(thread.items.value).toMatchObject([{ status: 'sent', text: 'Only once' }]);
  expect(server.stored.size).toBe(1);
  expect(server.posts).toHaveLength(2);
  chat.dispose();
});

it('messages still pending survive a reload (the tab storage) and are resent with their client_msg_id', async () => {
  const server = fakeServer();
  const store = new Map<string, string>();
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) };
  const open = () => new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, fetch: server.fetchImpl, socket: silentSocket, storage, prefs: null });
  server.setDown(true);
  const before = open();
  await before.loadThread(7);
  before.send(7, 'Survives the reload');
  await settle();
  const cmid = before.messages.thread(7).items.value[0]!.client_msg_id;
  expect(store.get('imbachat:outbox:demo:1')).toContain(cmid);
  before.dispose(); // the page goes away with the message unacknowledged
  server.setDown(false);
  const after = open();
  after.start();
  await vi.waitFor(() => expect(server.stored.size).toBe(1));
  await after.loadThread(7);
  await vi.waitFor(() => expect(after.messages.thread(7).items.value).toMatchObject([{ status: 'sent', client_msg_id: cmid, text: 'Survives the reload' }]));
  expect(store.has('imbachat:outbox:demo:1')).toBe(false);
  after.dispose();
});

it('a message the server refuses fails with Retry and is not resent by itself', async () => {
  const server = fakeServer();
  const refusing = (async (input: string | URL | Request, init?: RequestInit) => {
    if (init?.method === 'POST') return new Response(JSON.stringify({ error: { code: 'validation_failed', message: 'too long' } }), { status: 400 });
    return server.fetchImpl(input, init);
  }) as typeof fetch;
  const chat = new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, fetch: refusing, socket: silentSocket, storage: null, prefs: null });
  await chat.loadThread(7);
  chat.send(7, 'x');
  await settle();
  await settle();
  expect(chat.messages.thread(7).items.value).toMatchObject([{ status: 'failed', error: 'validation_failed' }]);
  chat.dispose();
});

it('blank messages are not sent', async () => {
  const server = fakeServer();
  const chat = makeChat(server);
  expect(chat.send(7, ' \n\t ')).toBe(false);
  expect(chat.messages.thread(7).items.value).toEqual([]);
  chat.dispose();
});

it('typing.start goes out at most once per 3 s while typing; typing.stop when the composer empties or a message is sent', async () => {
  vi.useFakeTimers();
  try {
    const sent: string[] = [];
    let socket: SocketLike | null = null;
    const factory = (): SocketLike => {
      socket = { onopen: null, onmessage: null, onclose: null, onerror: null, send: (d) => void sent.push(d), close() {} };
      return socket;
    };
    const server = fakeServer();
    const chat = new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, fetch: server.fetchImpl, socket: factory, storage: null, prefs: null });
    chat.start();
    const s = socket as unknown as SocketLike;
    s.onopen?.({});
    s.onmessage?.({ data: JSON.stringify({ type: 'ready', user: me, heartbeat_ms: 25000, last_event_id: 0, resumed: false }) });
    const frames = () => sent.map((d) => JSON.parse(d) as { type: string }).filter((f) => f.type.startsWith('typing')).map((f) => f.type);
    for (let i = 0; i < 10; i++) {
      chat.typing(7, true);
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(frames()).toEqual(['typing.start']);
    await vi.advanceTimersByTimeAsync(1000); // 3 s since the first start
    chat.typing(7, true);
    expect(frames()).toEqual(['typing.start', 'typing.start']);
    chat.typing(7, false);
    expect(frames()).toEqual(['typing.start', 'typing.start', 'typing.stop']);
    chat.typing(7, true);
    chat.send(7, 'done');
    expect(frames()).toEqual(['typing.start', 'typing.start', 'typing.stop', 'typing.start', 'typing.stop']);
    chat.dispose();
  } finally {
    vi.useRealTimers();
  }
});
