// @vitest-environment happy-dom
// The groups chunk from the panel's side: "New chat" and a group's info show their header at once
// and the panel's waiting look (or why the chunk could not come, with "Try again") until it is in;
// then the screen, with the focus in it; and "Read by" lists the readers once it is in.
import type { Dialog, Message } from '@imbachat/server/protocol';
import { render } from 'preact';
import { afterEach, expect, it } from 'vitest';
import { Chat } from '../state/chat.ts';
import { groupsCode, groupsFailed, loadGroups } from '../state/groups.ts';
import { DialogView } from './components/DialogView.tsx';
import { Panel } from './Panel.tsx';

const code = () => import('../state/full.ts');
const person = (id: string, name: string) => ({ user_id: id, name, avatar_url: null, profile_url: null });
const at = (minute: number) => new Date(2026, 0, 1, 10, minute).toISOString();
const state = (user_id: string, read: number, role: 'owner' | 'member' = 'member') => ({ user_id, last_read_seq: read, last_delivered_seq: read, online: false, last_seen_at: null, role, joined_at: at(0) });
const mine: Message = { id: 904, dialog_id: 9, seq: 4, sender_id: '1', kind: 'text', text: 'Hello', client_msg_id: null, system: null, attachments: [], created_at: at(4) };
const group: Dialog = {
  id: 9, type: 'group', title: 'Hiking club', member_count: 3, members: [person('1', 'Me'), person('2', 'Bob Stone'), person('3', 'Carol')],
  members_state: [state('1', 4, 'owner'), state('2', 4), state('3', 0)], avatar_url: null, history: 'all', membership: 'member', muted: false,
  last_message: mine, unread_count: 0, last_read_seq: 4, updated_at: at(4),
};
/** Who read my message (GET …/read-by); nothing else is answered. */
const server = (url: string): Promise<Response> =>
  url.endsWith('/read-by') ? Promise.resolve(Response.json({ items: [{ user_id: '2', read_at: at(5) }], count: 1 })) : new Promise(() => {});

let chat: Chat;
let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
  chat.dispose();
});

async function setup(): Promise<void> {
  chat = new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, storage: null, prefs: null, code, fetch: (url) => server(String(url)) });
  chat.dialogs.mergePage([group]);
  const full = await chat.loadFull();
  full.messages.thread(9).merge([mine]);
  full.messages.thread(9).status.value = 'loaded';
  root = document.body.appendChild(document.createElement('div'));
}
/** Effects (the panel's focus) run after the browser paints. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const button = (name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === name || b.getAttribute('aria-label') === name);

it('"New chat" without its chunk (offline): its header, why, and "Try again", which brings the screen and the focus into it', async () => {
  await setup();
  expect(groupsCode.value).toBeNull(); // nothing has asked for the chunk
  groupsFailed.value = true; // as after a fetch that failed
  chat.view.open.value = true;
  chat.view.view.value = { kind: 'new' };
  render(<Panel chat={chat} onClose={() => {}} />, root);
  await settle();
  expect(root.querySelector('h2')?.textContent).toBe('New chat');
  expect(button('Back to chats')).toBeDefined();
  expect(root.querySelector('[role="alert"]')?.textContent).toBe('Could not load. Check your connection.');
  expect(document.activeElement).toBe(button('Try again'));

  button('Try again')!.click();
  await settle();
  // On its way (a few ms here): the waiting look.
  if (!groupsCode.value) expect(root.querySelector('.state[role="status"]')?.textContent).toBe('Loading…');
  await loadGroups();
  await settle();
  expect(root.querySelector('[role="alert"]')).toBeNull();
  const search = root.querySelector('input[type="search"]');
  expect(search?.getAttribute('aria-label')).toBe('Search people');
  expect(document.activeElement).toBe(search);
  expect([...root.querySelectorAll('.pick .name')].map((n) => n.textContent)).toEqual(['Bob Stone', 'Carol']);
  expect([...root.querySelectorAll('.pick .avatar')].map((a) => a.textContent)).toEqual(['BS', 'C']);
});

it("a group's info, once the chunk is in: the card with its faces under the panel's header", async () => {
  await setup();
  chat.full().show({ kind: 'group', id: 9 });
  chat.view.open.value = true;
  render(<Panel chat={chat} onClose={() => {}} />, root);
  await settle();
  expect(root.querySelector('h2')?.textContent).toBe('Group info');
  expect(root.querySelector('.group-title')?.textContent).toBe('Hiking club');
  expect([...root.querySelectorAll('.card .stack .avatar')].map((a) => a.textContent)).toEqual(['BS', 'C']);
  expect([...root.querySelectorAll('.member .name')].map((n) => n.textContent)).toEqual(['Me', 'Bob Stone', 'Carol']);
  expect(document.activeElement).toBe(root.querySelector('h2'));
  button('Back to the chat')!.click();
  expect(chat.view.view.value).toEqual({ kind: 'dialog', id: 9 });
});

it('"Read by N" lists who read it, with their faces', async () => {
  await setup();
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  button('Read by 1')!.click();
  await settle();
  await loadGroups();
  await settle();
  expect(button('Read by 1')?.getAttribute('aria-expanded')).toBe('true');
  expect([...root.querySelectorAll('.readers li .name')].map((n) => n.textContent)).toEqual(['Bob Stone']);
  expect(root.querySelector('.readers li .avatar')?.textContent).toBe('BS');
});
