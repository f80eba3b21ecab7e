// Sending: an optimistic pending bubble, sent once the server answers; resent automatically with the
// same client_msg_id while unanswered (so the server stores it once), kept in the tab across a reload.
// Against the real server (temp SQLite file, the host's users-info behind Basic auth: the server
// package's test environment, run as its own process), reached through a proxy the test controls,
// which cuts requests off or loses their answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MAX_TEXT_CHARS, type Attachment, type Dialog, type Message } from '@imbachat/server/protocol';
import { effect, type ReadonlySignal } from '@preact/signals';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, onTestFinished, vi } from 'vitest';
import { WebSocket } from 'ws';
import { type Proxy, startProxy } from '../../../server/src/testing/proxy.ts';
import { connectWs, roundTrip, within } from '../../../server/src/testing/ws-client.ts';
import type { SocketLike } from '../transport/connection.ts';
import { Chat, type ChatOptions } from './chat.ts';

const code = () => import('./full.ts');

/** Two people per test (room for twelve tests), so no test sees another's messages. */
const TESTS = 12;
const ids = Array.from({ length: TESTS }, (_, i) => [`chat-${i}-me`, `chat-${i}-bob`]).flat();

interface ServedWidget {
  devId: string;
  tokens: Record<string, string>;
}
/** The server, its widget, and a second widget whose senders meet the rate limit after two
 *  messages (then one every 4 s; server/src/testing/serve.ts). */
let server: { url: string; slow: ServedWidget } & ServedWidget;
let child: ChildProcess;
let proxy: Proxy;
beforeAll(async () => {
  // Its own process, because the server's sources are type-checked with the server's settings
  // (Node's lib), not the widget's (the DOM's); it also keeps the stubs below out of the server.
  const serverDir = fileURLToPath(new URL('../../../server/', import.meta.url));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/testing/serve.ts', JSON.stringify(ids)], { cwd: serverDir, stdio: ['pipe', 'pipe', 'inherit'] });
  server = await within(
    new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.once('exit', (code) => reject(new Error(`the test server exited with ${code}`)));
    }),
    'the test server starting',
    30_000,
  );
  proxy = await startProxy(server.url);
});
afterAll(async () => {
  await proxy?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await exited;
  }
});
beforeEach(() => {
  proxy.requests.length = 0;
  proxy.route = () => 'pass';
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

let used = 0;
/** This test's two people and a dialog between them. */
async function meAndBob(widget: ServedWidget = server) {
  const n = used++;
  const me = `chat-${n}-me`;
  const bob = `chat-${n}-bob`;
  const api = (userId: string) => async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}/api/v1/${widget.devId}${path}`, {
      method,
      headers: { authorization: `Bearer ${widget.tokens[userId]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}`);
    return (await res.json()) as T;
  };
  const dialog = await api(me)<Dialog>('POST', '/dialogs', { user_id: bob });
  /** What the server stored in the dialog, as Bob reads it. */
  const stored = async () => (await api(bob)<{ items: Message[] }>('GET', `/dialogs/${dialog.id}/messages`)).items;
  return { me, bob, dialog, stored, widget };
}

type People = Awaited<ReturnType<typeof meAndBob>>;
const realSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;
/** A chat for `me` with its conversations part loaded, disposed when the test ends however it
 *  ends (so nothing it still sends leaks into the next). */
async function open(p: People, extra: Partial<ChatOptions> = {}): Promise<Chat> {
  const chat = new Chat({ base: proxy.url, devId: p.widget.devId, userId: p.me, token: p.widget.tokens[p.me]!, emit: () => {}, socket: realSocket, storage: null, prefs: null, code, ...extra });
  onTestFinished(() => chat.dispose());
  await chat.loadFull();
  return chat;
}
const posts = () => proxy.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
const clientMsgId = (body: string) => (JSON.parse(body) as { client_msg_id: string }).client_msg_id;

/**
 * Resolves with the signal's value once `ok` holds for it; fails naming `what` (and the last value)
 * if that has not happened within `ms`: a guard against a hung test, not a measure of speed.
 */
function until<T>(s: ReadonlySignal<T>, ok: (v: T) => boolean, what: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let dispose = () => {};
    const finish = (then: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      queueMicrotask(() => dispose());
      then();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`${what}: not reached within ${ms} ms; last value ${JSON.stringify(s.peek())}`))), ms);
    dispose = effect(() => {
      const v = s.value;
      if (ok(v)) finish(() => resolve(v));
    });
  });
}

/** Every status the message with `key` has had, in order, from now on. */
function statusTrail(chat: Chat, dialogId: number, key: string): string[] {
  const trail: string[] = [];
  const items = chat.full().messages.thread(dialogId).items;
  const stop = effect(() => {
    const status = items.value.find((m) => m.key === key)?.status ?? 'gone';
    if (trail.at(-1) !== status) trail.push(status);
  });
  onTestFinished(stop);
  return trail;
}

it('a message shows as pending at once and as sent when the server answers, with the same key', async () => {
  const p = await meAndBob();
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  expect(chat.full().send(p.dialog.id, '  Hello Bob  ')).toBe(true);
  const thread = chat.full().messages.thread(p.dialog.id);
  expect(thread.items.value).toMatchObject([{ text: 'Hello Bob', status: 'pending', id: null }]);
  const key = thread.items.value[0]!.key;
  await until(thread.items, (items) => items[0]?.status !== 'pending', 'the server answering the send');
  const [saved, ...more] = await p.stored();
  expect(more).toEqual([]);
  expect(saved).toMatchObject({ text: 'Hello Bob', sender_id: p.me, seq: 1 });
  expect(thread.items.value).toMatchObject([{ key, status: 'sent', id: saved!.id, seq: 1 }]);
});

it('a send that gets no answer stays pending and is resent with the same client_msg_id until acknowledged, shown once', async () => {
  // The resend delay is a full-jitter backoff drawn from Math.random: pinned to 0, each resend
  // follows the failure at once instead of up to seconds later. What is sent does not change.
  vi.spyOn(Math, 'random').mockReturnValue(0);
  const p = await meAndBob();
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  let cut = 0;
  proxy.route = (r) => (r.method === 'POST' && cut++ < 3 ? 'drop' : 'pass'); // a few sends, all unanswered
  chat.full().send(p.dialog.id, 'Are you there?');
  const thread = chat.full().messages.thread(p.dialog.id);
  const { key, client_msg_id } = thread.items.value[0]!;
  const trail = statusTrail(chat, p.dialog.id, key);
  await until(thread.items, (items) => items[0]?.status !== 'pending', 'the message acknowledged after the resends');
  expect(thread.items.value).toMatchObject([{ key, status: 'sent', client_msg_id }]);
  expect(trail).toEqual(['pending', 'sent']);
  expect(posts().map((r) => [r.action, clientMsgId(r.body)])).toEqual([
    ['drop', client_msg_id],
    ['drop', client_msg_id],
    ['drop', client_msg_id],
    ['pass', client_msg_id],
  ]);
  expect(await p.stored()).toMatchObject([{ client_msg_id, text: 'Are you there?' }]);
  await chat.full().deliver(p.dialog.id, key); // nothing left to send
  expect(posts()).toHaveLength(4);
});

it('an acknowledgement lost on the way is harmless: the resend gets the stored message back, once', async () => {
  vi.spyOn(Math, 'random').mockReturnValue(0); // the resend comes at once (see above)
  const p = await meAndBob();
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  let lost = false;
  proxy.route = (r) => (r.method === 'POST' && !lost ? ((lost = true), 'lose_answer') : 'pass'); // stored, answer lost
  chat.full().send(p.dialog.id, 'Only once');
  const thread = chat.full().messages.thread(p.dialog.id);
  const trail = statusTrail(chat, p.dialog.id, thread.items.value[0]!.key);
  await until(thread.items, (items) => items[0]?.status !== 'pending', 'the resend answered');
  expect(thread.items.value).toMatchObject([{ status: 'sent', text: 'Only once' }]);
  expect(trail).toEqual(['pending', 'sent']);
  // The server created it the first time (201) and handed the stored one back the second (200).
  expect(posts().map((r) => [r.action, r.status])).toEqual([
    ['lose_answer', 201],
    ['pass', 200],
  ]);
  expect(await p.stored()).toHaveLength(1);
});

it('messages still pending survive a reload (the tab storage) and are resent with their client_msg_id', async () => {
  const p = await meAndBob();
  const saved = new Map<string, string>();
  const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v), removeItem: (k: string) => void saved.delete(k) };
  const outboxKey = `imbachat:outbox:${server.devId}:${p.me}`;
  proxy.route = (r) => (r.method === 'POST' ? 'drop' : 'pass');
  const before = await open(p, { storage });
  await before.full().loadThread(p.dialog.id);
  before.full().send(p.dialog.id, 'Survives the reload');
  const cmid = before.full().messages.thread(p.dialog.id).items.value[0]!.client_msg_id!;
  expect(saved.get(outboxKey)).toContain(cmid);
  await proxy.seen((r) => r.method === 'POST' && r.action === 'drop');
  before.dispose(); // the page goes away with the message unacknowledged
  expect(await p.stored()).toEqual([]);

  proxy.route = () => 'pass';
  const after = await open(p, { storage });
  after.start();
  const thread = after.full().messages.thread(p.dialog.id);
  await until(thread.items, (items) => items.some((m) => m.client_msg_id === cmid && m.status !== 'pending'), 'the restored message acknowledged');
  expect(await p.stored()).toMatchObject([{ client_msg_id: cmid, text: 'Survives the reload' }]);
  await after.full().loadThread(p.dialog.id);
  expect(thread.items.value).toMatchObject([{ status: 'sent', client_msg_id: cmid, text: 'Survives the reload' }]);
  expect(posts().every((r) => clientMsgId(r.body) === cmid)).toBe(true);
  expect(saved.has(outboxKey)).toBe(false);
});

it('a message the server refuses fails with Retry and is not resent by itself', async () => {
  vi.spyOn(Math, 'random').mockReturnValue(0); // a resend, were one scheduled, would be due at once
  const p = await meAndBob();
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  chat.full().send(p.dialog.id, 'x'.repeat(MAX_TEXT_CHARS + 1));
  const thread = chat.full().messages.thread(p.dialog.id);
  const trail = statusTrail(chat, p.dialog.id, thread.items.value[0]!.key);
  await until(thread.items, (items) => items[0]?.status !== 'pending', 'the refusal');
  expect(thread.items.value).toMatchObject([{ status: 'failed', error: 'validation_failed' }]);
  // Not a sleep: a resend due at 0 ms would run before this 0 ms timer, and a resend shows the
  // message pending again the moment it starts.
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(trail).toEqual(['pending', 'failed']);
  expect(posts().map((r) => r.status)).toEqual([400]);
});

it('messages written in a quick run are stored in the order written, one request at a time', async () => {
  const p = await meAndBob();
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  const texts = Array.from({ length: 8 }, (_, i) => `message ${i + 1}`);
  for (const text of texts) chat.full().send(p.dialog.id, text);
  const thread = chat.full().messages.thread(p.dialog.id);
  await until(thread.items, (items) => items.length === 8 && items.every((m) => m.status === 'sent'), 'all eight acknowledged');
  expect((await p.stored()).map((m) => m.text)).toEqual(texts);
  expect(thread.items.value.map((m) => m.text)).toEqual(texts);
  // Each send went out after the one before it was answered.
  expect(posts().map((r) => JSON.parse(r.body).text)).toEqual(texts);
});

it('a message over the send limit stays pending and is resent once the 429 Retry-After has passed, not before', async () => {
  // Pinned to 0, the resend backoff alone would try again after 1 s, and be refused again: the
  // server asked for 4 s.
  vi.spyOn(Math, 'random').mockReturnValue(0);
  const p = await meAndBob(server.slow);
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  for (const text of ['one', 'two', 'three']) chat.full().send(p.dialog.id, text);
  const thread = chat.full().messages.thread(p.dialog.id);
  await until(thread.items, (items) => items.length === 3 && items.every((m) => m.status === 'sent'), 'all three acknowledged', 15_000);
  expect(posts().map((r) => r.status)).toEqual([201, 201, 429, 201]);
  expect((await p.stored()).map((m) => m.text)).toEqual(['one', 'two', 'three']);
});

/** A 1×1 PNG: what the server decodes, re-encodes and makes a thumbnail of. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Uploads a file as the person does (POST …/uploads, the multipart field "file"), straight to the server. */
async function upload(p: People, name: string, type: string, bytes: Uint8Array<ArrayBuffer>): Promise<Attachment> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${server.url}/api/v1/${p.widget.devId}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.widget.tokens[p.me]}` }, body: form });
  if (res.status !== 201) throw new Error(`the upload answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Attachment;
}

it('a message with files sends their ids through the outbox; its answer lost, the resend attaches them once', async () => {
  vi.spyOn(Math, 'random').mockReturnValue(0); // the resend comes at once
  const p = await meAndBob();
  const files = [await upload(p, 'dot.png', 'image/png', PNG), await upload(p, 'notes.txt', 'text/plain', new TextEncoder().encode('Bring boots.\n'))];
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  let lost = false;
  proxy.route = (r) => (r.method === 'POST' && !lost ? ((lost = true), 'lose_answer') : 'pass');
  expect(chat.full().send(p.dialog.id, '', files)).toBe(true); // files need no text
  const thread = chat.full().messages.thread(p.dialog.id);
  // Shown at once with its files, before the server has it.
  expect(thread.items.value).toMatchObject([{ status: 'pending', text: '', attachments: files }]);
  await until(thread.items, (items) => items[0]?.status === 'sent', 'the resend answered');
  const ids = files.map((f) => f.id);
  expect(posts().map((r) => [r.status, JSON.parse(r.body).attachment_ids])).toEqual([
    [201, ids],
    [200, ids], // the stored message back, not "already used"
  ]);
  const [stored, ...more] = await p.stored();
  expect(more).toEqual([]);
  expect(stored!.attachments.map((a) => [a.id, a.kind, a.name])).toEqual([
    [ids[0], 'image', 'dot.png'],
    [ids[1], 'file', 'notes.txt'],
  ]);
  expect(thread.items.value[0]!.attachments.map((a) => a.id)).toEqual(ids);
});

it('a message whose uploads are gone fails with that reason and is not resent', async () => {
  const p = await meAndBob();
  const chat = await open(p);
  await chat.full().loadThread(p.dialog.id);
  const gone: Attachment = { id: 'A'.repeat(22), kind: 'file', name: 'old.pdf', size: 10, mime: 'application/pdf', url: '/files/v1/x/y' };
  chat.full().send(p.dialog.id, 'Here it is', [gone]);
  const thread = chat.full().messages.thread(p.dialog.id);
  await until(thread.items, (items) => items[0]?.status !== 'pending', 'the refusal');
  expect(thread.items.value).toMatchObject([{ status: 'failed', error: 'upload_not_found' }]);
  expect(posts().map((r) => r.status)).toEqual([404]);
  expect(await p.stored()).toEqual([]);
});

it('blank messages are not sent', async () => {
  const p = await meAndBob();
  const chat = await open(p);
  expect(chat.full().send(p.dialog.id, ' \n\t ')).toBe(false);
  expect(chat.full().messages.thread(p.dialog.id).items.value).toEqual([]);
});

it('typing.start goes out at most once per 3 s while typing; typing.stop when the composer empties or a message is sent', async () => {
  const p = await meAndBob();
  const sent: string[] = [];
  const recording = (url: string) => {
    const ws = new WebSocket(url);
    const send = ws.send.bind(ws);
    ws.send = ((data: string) => {
      sent.push(data);
      send(data);
    }) as typeof ws.send;
    return ws as unknown as SocketLike;
  };
  const bob = await connectWs(`${server.url.replace('http', 'ws')}/api/v1/${server.devId}/ws`, server.tokens[p.bob]!);
  onTestFinished(() => bob.close());
  const chat = await open(p, { socket: recording });
  chat.start();
  await until(chat.session.link, (s) => s === 'connected', 'the chat connected');
  const d = p.dialog.id;
  const frames = () => sent.map((s) => JSON.parse(s) as { type: string }).filter((f) => f.type.startsWith('typing')).map((f) => f.type);
  // The throttle reads Date.now(); only Date is faked, and only while nothing else runs.
  vi.useFakeTimers({ toFake: ['Date'] });
  for (let i = 0; i < 10; i++) {
    chat.full().typing(d, true);
    vi.advanceTimersByTime(200);
  }
  expect(frames()).toEqual(['typing.start']);
  vi.advanceTimersByTime(1000); // 3 s since the first start
  chat.full().typing(d, true);
  expect(frames()).toEqual(['typing.start', 'typing.start']);
  chat.full().typing(d, false);
  expect(frames()).toEqual(['typing.start', 'typing.start', 'typing.stop']);
  chat.full().typing(d, true);
  chat.full().send(d, 'done');
  vi.useRealTimers();
  expect(frames()).toEqual(['typing.start', 'typing.start', 'typing.stop', 'typing.start', 'typing.stop']);
  // Bob gets them through the server, in order: the last stop is the last typing frame.
  await within(bob.next('typing.stop'), 'the first typing.stop at Bob');
  await within(bob.next('typing.stop'), 'the second typing.stop at Bob');
  await roundTrip(bob);
  expect(bob.frames.filter((f) => f.type.startsWith('typing')).map((f) => f.type)).toEqual(frames());
});

it('a chat whose socket the server closes for too many connections stops and says so, instead of reconnecting or claiming a sign-out', async () => {
  const p = await meAndBob();
  const errors: { code: string }[] = [];
  const chat = await open(p, { emit: (name, payload) => void (name === 'error' && errors.push(payload as { code: string })) });
  chat.start();
  await until(chat.session.link, (s) => s === 'connected', 'the chat connected');
  // 32 more sockets of the same user (the server's cap per user): the oldest, the chat's, is closed.
  const others: Awaited<ReturnType<typeof connectWs>>[] = [];
  for (let i = 0; i < 32; i++) others.push(await connectWs(`${server.url.replace('http', 'ws')}/api/v1/${server.devId}/ws`, server.tokens[p.me]!));
  onTestFinished(() => others.forEach((s) => s.close()));
  await until(chat.session.fatal, (f) => f !== null, 'the chat stopping');
  expect(chat.session.fatal.value).toBe('too_many_connections');
  expect(chat.session.link.value).toBe('disconnected');
  expect(errors.map((e) => e.code)).toContain('too_many_connections');
});
