// Sending: an optimistic pending bubble, sent once the server answers, failed with a retry that
// keeps its client_msg_id (so the server stores it once however often it is retried).
import type { Dialog, Message } from '@imbachat/server/protocol';
import { expect, it } from 'vitest';
import type { SocketLike } from '../transport/connection.ts';
import { Chat } from './chat.ts';

const me = { user_id: '1', name: 'Me', avatar_url: null, profile_url: null };
const bob = { user_id: '2', name: 'Bob', avatar_url: null, profile_url: null };
const dialog: Dialog = { id: 7, type: 'direct', members: [me, bob], members_state: [], last_message: null, unread_count: 0, last_read_seq: 0, updated_at: '2026-01-01T00:00:00.000Z' };

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
  return new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, fetch: server.fetchImpl, socket: silentSocket, storage: null });
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

it('a failed send keeps its client_msg_id on retry, and the server stores it once', async () => {
  const server = fakeServer();
  const chat = makeChat(server);
  await chat.loadThread(7);
  server.setDown(true);
  chat.send(7, 'Are you there?');
  const thread = chat.messages.thread(7);
  await settle();
  expect(thread.items.value).toMatchObject([{ status: 'failed', error: 'network' }]);
  const { key, client_msg_id } = thread.items.value[0]!;
  server.setDown(false);
  await chat.deliver(7, key);
  await chat.deliver(7, key); // a second click does nothing more
  expect(thread.items.value).toMatchObject([{ key, status: 'sent', client_msg_id }]);
  expect(server.posts.map((p) => p.client_msg_id)).toEqual([client_msg_id]);
  expect(server.stored.size).toBe(1);
  chat.dispose();
});

it('blank messages are not sent', async () => {
  const server = fakeServer();
  const chat = makeChat(server);
  expect(chat.send(7, ' \n\t ')).toBe(false);
  expect(chat.messages.thread(7).items.value).toEqual([]);
  chat.dispose();
});
