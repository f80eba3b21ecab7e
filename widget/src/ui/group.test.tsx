// @vitest-environment happy-dom
// Groups until the full group UI comes: named by their title with its initials, "N members"
// instead of presence, senders' names above runs of other people's messages, who is typing, and
// ticks that count any other member.
import type { Dialog, Message } from '@imbachat/server/protocol';
import { render } from 'preact';
import { afterEach, expect, it } from 'vitest';
import { setLang } from '../i18n/index.ts';
import { Chat } from '../state/chat.ts';
import { DialogList } from './components/DialogList.tsx';
import { DialogView } from './components/DialogView.tsx';
import { plural } from './format.ts';

const code = () => import('../state/full.ts');

const person = (id: string, name: string) => ({ user_id: id, name, avatar_url: null, profile_url: null });
const me = person('1', 'Me');
const bob = person('2', 'Bob Stone');
const carol = person('3', 'Carol');
const at = (minute: number) => new Date(2026, 0, 1, 10, minute).toISOString();
const msg = (seq: number, sender_id: string): Message => ({ id: 900 + seq, dialog_id: 9, seq, sender_id, text: `text ${seq}`, client_msg_id: null, created_at: at(seq) });
const group: Dialog = {
  id: 9, type: 'group', title: 'Hiking club', member_count: 3, members: [me, bob, carol],
  members_state: [], last_message: msg(5, '2'), unread_count: 0, last_read_seq: 5, updated_at: at(5),
};
const direct: Dialog = { ...group, id: 7, type: 'direct', title: null, member_count: 2, members: [me, carol], last_message: { ...msg(1, '3'), dialog_id: 7 }, updated_at: at(0) };

let chat: Chat;
afterEach(async () => {
  chat?.dispose();
  await setLang('en');
});

async function setup(): Promise<HTMLElement> {
  chat = new Chat({ base: 'http://chat.test', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, storage: null, prefs: null, code });
  chat.dialogs.mergePage([group, direct]);
  const full = await chat.loadFull();
  const thread = full.messages.thread(9);
  thread.merge([msg(1, '2'), msg(2, '2'), msg(3, '3'), msg(4, '1'), msg(5, '2')]);
  thread.status.value = 'loaded';
  full.presence.set('3', { online: true, last_seen_at: null });
  return document.createElement('div');
}

it('a group header shows its title, its initials and "N members", not anyone\'s presence', async () => {
  const root = await setup();
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('h2')?.textContent).toBe('Hiking club');
  expect(root.querySelector('.avatar')?.textContent).toBe('HC');
  expect(root.querySelector('.online-dot')).toBeNull();
  expect(root.querySelector('.status-line')?.textContent).toBe('3 members');
  expect(root.querySelector('.status-line a')).toBeNull();
});

it("a group's messages from other people show the sender's name above each run", async () => {
  const root = await setup();
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect([...root.querySelectorAll('.msg .sender')].map((e) => e.textContent)).toEqual(['Bob Stone', 'Carol', 'Bob Stone']);
  expect(root.querySelector('.msg.mine .sender')).toBeNull();
});

it('typing in a group names the typist from the members', async () => {
  const root = await setup();
  chat.full().presence.startTyping(9, '2');
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('.status-line')?.textContent).toBe('Bob is typing…');
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  expect(root.querySelector('[aria-label="Hiking club"] .preview')?.textContent).toBe('Bob is typing…');
});

it('my message in a group shows delivered once one other member has it, read once one read it', async () => {
  const root = await setup();
  const tick = () => root.querySelector('.msg.mine .info .sr-only')?.textContent;
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(tick()).toBe('Sent');
  chat.dialogs.setReceipt(9, { delivered: 4 });
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(tick()).toBe('Delivered');
  chat.dialogs.setReceipt(9, { read: 4 });
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(tick()).toBe('Read');
});

it('the dialog list names a group by its title, with initials and the sender before the preview', async () => {
  const root = await setup();
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  const row = root.querySelector('[aria-label="Hiking club"]')!;
  expect(row.querySelector('.name')?.textContent).toBe('Hiking club');
  expect(row.querySelector('.avatar')?.textContent).toBe('HC');
  expect(row.querySelector('.online-dot')).toBeNull();
  expect(row.querySelector('.preview')?.textContent).toBe('Bob: text 5');
  // A direct dialog is still named by the partner, with their presence.
  const carolRow = root.querySelector('[aria-label="Carol"]')!;
  expect(carolRow.querySelector('.online-dot')).not.toBeNull();
});

it('the launcher\'s "N new messages" uses the plural forms of every catalogue', async () => {
  await setLang('en');
  expect([1, 2, 5].map((n) => plural('newMessages', n))).toEqual(['1 new message', '2 new messages', '5 new messages']);
  await setLang('ru');
  expect([1, 2, 5, 21].map((n) => plural('newMessages', n))).toEqual(['1 новое сообщение', '2 новых сообщения', '5 новых сообщений', '21 новое сообщение']);
  await setLang('en');
});

it('the member count uses the plural forms of the widget language', async () => {
  expect([1, 2, 5].map((n) => plural('members', n))).toEqual(['1 member', '2 members', '5 members']);
  await setLang('ru');
  expect([1, 3, 5, 11, 21, 22].map((n) => plural('members', n))).toEqual(['1 участник', '3 участника', '5 участников', '11 участников', '21 участник', '22 участника']);
  await setLang('uk'); // English text: English rules, even where Ukrainian would say "21 member"
  expect(plural('members', 21)).toBe('21 members');
  const root = await setup();
  await setLang('ru');
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('.status-line')?.textContent).toBe('3 участника');
});
