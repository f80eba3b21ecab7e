// @vitest-environment happy-dom
// The live frames drive the dialog list by themselves (the server sends no snapshot after each
// message or read): a dialog new to the list is fetched once, its first message still counts,
// rings and notifies; reads in other tabs, receipts, new dialogs and unknown frames.
import type { Dialog, Message, ServerFrame } from '@imbachat/server/protocol';
import { expect, it, vi } from 'vitest';
import type { SocketLike } from '../transport/connection.ts';
import { Chat } from './chat.ts';

const code = () => import('./full.ts');

const person = (id: string, name: string) => ({ user_id: id, name, avatar_url: null, profile_url: null });
const me = person('1', 'Me');
const bob = person('2', 'Bob');
const carol = person('3', 'Carol');

function msg(dialog_id: number, seq: number, sender_id = '2'): Message {
  return { id: dialog_id * 1000 + seq, dialog_id, seq, sender_id, kind: 'text', text: `m${seq}`, client_msg_id: null, system: null, attachments: [], created_at: new Date(Date.UTC(2026, 0, 1, 10, seq)).toISOString() };
}

function direct(id: number, other = bob, extra: Partial<Dialog> = {}): Dialog {
  return { id, type: 'direct', title: null, member_count: 2, members: [me, other], members_state: [], avatar_url: null, history: 'all', membership: 'member', muted: false, last_message: null, unread_count: 0, last_read_seq: 0, updated_at: '2026-01-01T00:00:00.000Z', ...extra };
}

/** A chat against a fake server: `list` is GET /dialogs, `server` what GET /dialogs/{id} answers. */
async function live(list: Dialog[], server: Map<number, Dialog> = new Map()) {
  const fetched: number[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input);
    if (url.endsWith('/me')) return json(me);
    if (url.includes('/dialogs?')) return json({ items: list, next_cursor: null });
    const one = /\/dialogs\/(\d+)$/.exec(url);
    if (one) {
      const id = Number(one[1]);
      fetched.push(id);
      if (gate) await gate;
      const d = server.get(id);
      return d ? json(d) : json({ error: { code: 'dialog_not_found', message: 'no' } }, 404);
    }
    if (url.includes('/messages?')) return json({ items: [], next_cursor: null });
    return json({ error: { code: 'not_found', message: url } }, 404);
  }) as typeof fetch;
  let socket: SocketLike | null = null;
  const events: { name: string; payload: unknown }[] = [];
  const chat = new Chat({
    base: 'http://chat.test',
    devId: 'demo',
    userId: '1',
    token: 'a.b.c',
    emit: (name, payload) => void events.push({ name, payload }),
    fetch: fetchImpl,
    socket: () => (socket = { onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} }),
    storage: null,
    prefs: null,
    code,
  });
  const alerts = vi.spyOn((await chat.loadFull()).alerts, 'incoming');
  chat.start();
  await vi.waitFor(() => expect(chat.dialogs.status.value).toBe('loaded'));
  const s = socket as unknown as SocketLike;
  s.onopen?.({});
  let eventId = 100;
  const push = (frame: Record<string, unknown>) => s.onmessage?.({ data: JSON.stringify(frame) });
  push({ type: 'ready', user: me, heartbeat_ms: 25000, last_event_id: eventId, resumed: false });
  // Positions in the widget's log: growing, with other people's events in between.
  const send = (frame: ServerFrame | Record<string, unknown>) => push({ event_id: (eventId += 7), ...frame });
  return {
    chat,
    events,
    alerts,
    fetched,
    send,
    push,
    hold: () => (gate = new Promise<void>((r) => (release = r))),
    release: () => release(),
  };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

it('a message in a dialog the list does not know fetches that dialog once', async () => {
  const carolDialog = direct(9, carol, { last_message: msg(9, 1, '3'), unread_count: 1, updated_at: msg(9, 1).created_at });
  const c = await live([direct(7)], new Map([[9, carolDialog]]));
  c.hold();
  c.send({ type: 'message.new', message: msg(9, 1, '3') });
  c.send({ type: 'message.new', message: msg(9, 2, '3') });
  c.release();
  await settle();
  expect(c.fetched).toEqual([9]);
  expect(c.chat.dialogs.items.value.map((d) => d.id)).toEqual([9, 7]);
  expect(c.chat.dialogs.byId(9)).toMatchObject({ last_message: { seq: 2 }, unread_count: 2 });
  expect(c.events.filter((e) => e.name === 'message').map((e) => (e.payload as { message: Message }).message.seq)).toEqual([1, 2]);
  c.chat.dispose();
});

it("the first message of a brand-new dialog counts as unread, shows in the title, rings and notifies with the sender's name", async () => {
  const carolDialog = direct(9, carol, { last_message: msg(9, 1, '3'), unread_count: 1, updated_at: msg(9, 1).created_at });
  const c = await live([], new Map([[9, carolDialog]]));
  document.title = 'Shop';
  c.chat.view.pageVisible.value = false;
  c.send({ type: 'message.new', message: msg(9, 1, '3') });
  await settle();
  expect(c.chat.dialogs.unreadTotal.value).toBe(1);
  expect(c.chat.dialogs.withUser('3')?.unread_count).toBe(1);
  expect(document.title).toBe('(1) Shop');
  expect(c.alerts).toHaveBeenCalledTimes(1);
  expect(c.alerts.mock.calls[0]![0]).toMatchObject({ title: 'Carol', body: 'm1', hidden: true, watching: false });
  expect(c.events.filter((e) => e.name === 'unread').at(-1)?.payload).toEqual({ total: 1 });
  c.chat.dispose();
});

it('frames about a dialog being fetched wait for it and apply in order', async () => {
  // The answer was built before message 2 and before the read in another tab.
  const snapshot = direct(9, carol, { last_message: msg(9, 1, '3'), unread_count: 1, updated_at: msg(9, 1).created_at });
  const c = await live([], new Map([[9, snapshot]]));
  c.hold();
  c.send({ type: 'message.new', message: msg(9, 1, '3') });
  c.send({ type: 'message.new', message: msg(9, 2, '3') });
  c.send({ type: 'message.read', dialog_id: 9, user_id: '1', message_id: 9002, seq: 2 });
  c.send({ type: 'message.delivered', dialog_id: 9, user_id: '3', seq: 2 });
  c.release();
  await settle();
  expect(c.fetched).toEqual([9]);
  expect(c.chat.dialogs.byId(9)).toMatchObject({ last_message: { seq: 2 }, last_read_seq: 2, unread_count: 0 });
  expect(c.chat.full().receipts.furthest.value[9]).toEqual({ read: 0, delivered: 2 });
  c.chat.dispose();
});

it("a dialog that cannot be fetched still lets its message through, under 'New message', without asking again and again", async () => {
  const c = await live([]);
  c.send({ type: 'message.new', message: msg(9, 1, '3') });
  await settle();
  expect(c.fetched).toEqual([9]);
  expect(c.events.filter((e) => e.name === 'message')).toHaveLength(1);
  expect(c.alerts.mock.calls[0]![0]).toMatchObject({ title: 'New message', body: 'm1' });
  c.chat.dispose();
});

it('a message moves a known dialog to the top with the new preview and count, without fetching it', async () => {
  const c = await live([direct(7, bob, { updated_at: '2026-01-01T09:00:00.000Z' }), direct(8, carol, { updated_at: '2026-01-01T08:00:00.000Z' })]);
  c.send({ type: 'message.new', message: msg(8, 1, '3') });
  await settle();
  expect(c.fetched).toEqual([]);
  expect(c.chat.dialogs.items.value.map((d) => d.id)).toEqual([8, 7]);
  expect(c.chat.dialogs.byId(8)).toMatchObject({ last_message: { seq: 1 }, unread_count: 1 });
  c.chat.dispose();
});

it('my message from another tab clears the count; a read there leaves what came after it', async () => {
  const c = await live([direct(7, bob, { last_message: msg(7, 2), last_read_seq: 0, unread_count: 2 })]);
  c.send({ type: 'message.new', message: msg(7, 3) });
  expect(c.chat.dialogs.byId(7)).toMatchObject({ unread_count: 3 });
  c.send({ type: 'message.read', dialog_id: 7, user_id: '1', message_id: 7002, seq: 2 });
  expect(c.chat.dialogs.byId(7)).toMatchObject({ last_read_seq: 2, unread_count: 1 });
  c.send({ type: 'message.new', message: msg(7, 4, '1') });
  expect(c.chat.dialogs.byId(7)).toMatchObject({ last_read_seq: 4, unread_count: 0 });
  expect(c.alerts).toHaveBeenCalledTimes(1); // only for Bob's message
  c.chat.dispose();
});

it("message.read from someone else is a receipt, and does not touch my count", async () => {
  const c = await live([direct(7, bob, { last_message: msg(7, 2), unread_count: 2 })]);
  c.send({ type: 'message.read', dialog_id: 7, user_id: '2', message_id: 7002, seq: 2 });
  expect(c.chat.full().receipts.furthest.value[7]).toEqual({ read: 2, delivered: 2 });
  expect(c.chat.dialogs.byId(7)).toMatchObject({ unread_count: 2, last_read_seq: 0 });
  c.chat.dispose();
});

it('dialog.updated adds a dialog that appeared (a new group) and never rolls a known one back', async () => {
  const known = direct(7, bob, { last_message: msg(7, 5), last_read_seq: 5, unread_count: 0, updated_at: msg(7, 5).created_at });
  const c = await live([known]);
  const group: Dialog = { ...direct(9), type: 'group', title: 'Hiking club', member_count: 3, members: [me, bob, carol], updated_at: '2026-01-02T00:00:00.000Z' };
  c.send({ type: 'dialog.updated', dialog: group });
  c.send({ type: 'dialog.updated', dialog: { ...known, last_message: msg(7, 3), last_read_seq: 2, unread_count: 1, updated_at: msg(7, 3).created_at } });
  expect(c.chat.dialogs.items.value.map((d) => d.id)).toEqual([9, 7]);
  expect(c.chat.dialogs.byId(7)).toMatchObject({ last_message: { seq: 5 }, last_read_seq: 5, unread_count: 0 });
  expect(c.fetched).toEqual([]);
  c.chat.dispose();
});

it('presence comes from direct dialogs only: a group does not seed its members', async () => {
  const online = (user_id: string) => ({ user_id, last_read_seq: 0, last_delivered_seq: 0, online: true, last_seen_at: null, role: 'member' as const, joined_at: '2026-01-01T00:00:00.000Z' });
  const group: Dialog = { ...direct(9), type: 'group', title: 'Hiking club', member_count: 3, members: [me, bob, carol], members_state: [online('1'), online('2'), online('3')] };
  const c = await live([group, direct(7, bob, { members_state: [online('2')] })]);
  expect(c.chat.full().presence.users.value).toEqual({ '2': { online: true, last_seen_at: null } });
  c.chat.dispose();
});

it('unknown frame types are ignored, and the frames after them still apply', async () => {
  const c = await live([direct(7)]);
  const before = c.chat.dialogs.items.value;
  expect(() => {
    c.send({ type: 'dialog.archived', dialog_id: 7 });
    c.push({ type: 'reaction.added', dialog_id: 7, emoji: '👍' });
    c.push({ no_type: true });
  }).not.toThrow();
  expect(c.chat.dialogs.items.value).toBe(before);
  c.send({ type: 'message.new', message: msg(7, 1) });
  expect(c.chat.dialogs.byId(7)).toMatchObject({ unread_count: 1 });
  c.chat.dispose();
});

it('a muted dialog is silent and out of the title, still counted; system messages are never unread and never ring', async () => {
  const group: Dialog = { ...direct(9), type: 'group', title: 'Hiking club', member_count: 3, members: [me, bob, carol], muted: true };
  const c = await live([group, direct(7, carol)]);
  document.title = 'Shop';
  c.chat.view.pageVisible.value = false;
  c.send({ type: 'message.new', message: msg(9, 1, '2') });
  expect(c.chat.dialogs.unreadTotal.value).toBe(1);
  expect(document.title).toBe('Shop');
  expect(c.alerts).not.toHaveBeenCalled();
  // A system message in a dialog that is not muted: the preview, no count, no sound, no event.
  c.send({ type: 'message.new', message: { ...msg(7, 1), sender_id: null, kind: 'system', system: { action: 'notice', actor_id: null, user_ids: [], title: null } } });
  expect(c.chat.dialogs.byId(7)).toMatchObject({ last_message: { seq: 1 }, unread_count: 0 });
  expect(c.alerts).not.toHaveBeenCalled();
  expect(c.events.filter((e) => e.name === 'message').map((e) => (e.payload as { dialog_id: number }).dialog_id)).toEqual([9]);
  // Unmuted (dialog.updated from the mute call in another tab): the next one rings and is in the title.
  c.send({ type: 'dialog.updated', dialog: { ...group, muted: false, last_message: msg(9, 1, '2'), unread_count: 1 } });
  c.send({ type: 'message.new', message: msg(9, 2, '3') });
  expect(document.title).toBe('(2) Shop');
  expect(c.alerts).toHaveBeenCalledTimes(1);
  expect(c.alerts.mock.calls[0]![0]).toMatchObject({ title: 'Hiking club', body: 'Carol: m2' });
  c.chat.dispose();
});
