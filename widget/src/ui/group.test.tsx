// @vitest-environment happy-dom
// Groups in the panel: named by their title, two members' faces stacked (or the group's picture),
// "N members" instead of presence, senders' names and faces above runs of other people's messages,
// who is typing, ticks that count any other member and "Read by N", and what someone who left sees.
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
const msg = (seq: number, sender_id: string): Message => ({ id: 900 + seq, dialog_id: 9, seq, sender_id, kind: 'text', text: `text ${seq}`, client_msg_id: null, system: null, attachments: [], created_at: at(seq) });
const group: Dialog = {
  id: 9, type: 'group', title: 'Hiking club', member_count: 3, members: [me, bob, carol],
  members_state: [], avatar_url: null, history: 'all', membership: 'member', muted: false, last_message: msg(5, '2'), unread_count: 0, last_read_seq: 5, updated_at: at(5),
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

it('a group header shows its title, two members\' faces and "N members", not anyone\'s presence', async () => {
  const root = await setup();
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('h2')?.textContent).toBe('Hiking club');
  expect([...root.querySelectorAll('header .stack .avatar')].map((a) => a.textContent)).toEqual(['BS', 'C']);
  expect(root.querySelector('header .online-dot')).toBeNull();
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
  chat.full().receipts.set(9, { delivered: 4 });
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(tick()).toBe('Delivered');
  chat.full().receipts.set(9, { read: 4 });
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(tick()).toBe('Read');
});

it('the dialog list names a group by its title, with two members\' faces and the sender before the preview', async () => {
  const root = await setup();
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  const row = root.querySelector('[aria-label="Hiking club"]')!;
  expect(row.querySelector('.name')?.textContent).toBe('Hiking club');
  expect([...row.querySelectorAll('.stack .avatar')].map((a) => a.textContent)).toEqual(['BS', 'C']);
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

const memberState = (user_id: string, read: number, role: 'owner' | 'admin' | 'member' = 'member') => ({ user_id, last_read_seq: read, last_delivered_seq: read, online: false, last_seen_at: null, role, joined_at: at(0) });

it('"Read by N" sits under my last message someone read, counting current members, live', async () => {
  const root = await setup();
  chat.dialogs.upsert({ ...group, members_state: [memberState('1', 5, 'owner'), memberState('2', 4), memberState('3', 3)] });
  const readBy = () => [...root.querySelectorAll('.read-by button')].map((b) => b.textContent);
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(readBy()).toEqual(['Read by 1']); // Bob read up to my message (seq 4), Carol did not
  chat.full().apply({ type: 'message.read', dialog_id: 9, user_id: '3', message_id: 905, seq: 5 });
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(readBy()).toEqual(['Read by 2']);
  expect(root.querySelector('.msg.mine .read-by')).not.toBeNull();
});

it('system messages show in the timeline in the widget language, between runs', async () => {
  const root = await setup();
  const sys: Message = { ...msg(6, '2'), sender_id: null, kind: 'system', text: 'Bob added Dan', system: { action: 'added', actor_id: '2', user_ids: ['3'], title: null } };
  chat.full().messages.thread(9).merge([sys, msg(7, '2')]);
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('.sys')?.textContent).toBe('Bob Stone added Carol');
  // The run after it starts again with the sender's name.
  expect([...root.querySelectorAll('.msg .sender')].map((e) => e.textContent)).toEqual(['Bob Stone', 'Carol', 'Bob Stone', 'Bob Stone']);
  await setLang('ru');
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('.sys')?.textContent).toBe('Bob Stone добавил(а) в группу: Carol');
  // The list previews it the same way, without a sender.
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  chat.dialogs.noteMessage(sys);
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  expect(root.querySelector('[aria-label="Hiking club"] .preview')?.textContent).toBe('Bob Stone добавил(а) в группу: Carol');
});

it('someone who left or was removed reads on, with a line where the composer was; live', async () => {
  const root = await setup();
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('textarea')).not.toBeNull();
  chat.dialogs.upsert({ ...group, membership: 'removed', members: [bob, carol], member_count: 2 });
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('textarea')).toBeNull();
  expect(root.querySelector('.gone')?.textContent).toBe('You were removed from this group.');
  expect(root.querySelectorAll('.msg')).toHaveLength(5);
  chat.dialogs.upsert({ ...group, membership: 'left', members: [bob, carol], member_count: 2 });
  render(<DialogView chat={chat} dialogId={9} onClose={() => {}} />, root);
  expect(root.querySelector('.gone')?.textContent).toBe('You left this group.');
});

it('a muted dialog says so in the list, and its unread count is still shown', async () => {
  const root = await setup();
  chat.dialogs.upsert({ ...group, muted: true, unread_count: 2 });
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  const row = root.querySelector('[aria-label="Hiking club"]')!;
  expect(row.classList.contains('is-muted')).toBe(true);
  expect(row.querySelector('.count')?.textContent).toBe('2');
  expect(row.getAttribute('aria-describedby')).toContain('ic-mu-9');
  expect(chat.dialogs.unreadTotal.value).toBe(2);
});
