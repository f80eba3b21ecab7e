// @vitest-environment happy-dom
// Files in the timeline and the list: an image preview drawn at its final size with the name as
// its alt, a file card with its name as text (an Arabic one in its own direction), its size and a
// download link on the chat server; no empty text line under files alone; "Photo" / "📎 name" in
// the list; links that are not on the chat server are not made; and sending carries the ids.
import type { Attachment, Dialog, Message } from '@imbachat/server/protocol';
import { render } from 'preact';
import { afterEach, expect, it } from 'vitest';
import { setLang } from '../i18n/index.ts';
import { Chat } from '../state/chat.ts';
import { expiresSoon } from '../state/files.ts';
import { fitBox } from './components/Attachments.tsx';
import { DialogList } from './components/DialogList.tsx';
import { DialogView } from './components/DialogView.tsx';
import { formatSize } from './format.ts';

const code = () => import('../state/full.ts');
const person = (id: string, name: string) => ({ user_id: id, name, avatar_url: null, profile_url: null });
const at = (minute: number) => new Date(2026, 0, 1, 10, minute).toISOString();
const photo: Attachment = { id: 'p'.repeat(22), kind: 'image', name: 'sea <b>view</b>.png', size: 245_000, mime: 'image/png', width: 1600, height: 1200, url: '/files/v1/demo/ppp?exp=1&sig=a', thumb_url: '/files/v1/demo/ppp/thumb?exp=1&sig=b' };
const pdf: Attachment = { id: 'f'.repeat(22), kind: 'file', name: 'تقرير سنوي.pdf', size: 1_234_567, mime: 'application/pdf', url: '/files/v1/demo/fff?exp=1&sig=c' };
const msg = (seq: number, text: string, attachments: Attachment[]): Message => ({ id: 500 + seq, dialog_id: 7, seq, sender_id: '2', kind: 'text', text, client_msg_id: null, system: null, attachments, created_at: at(seq) });
const dialog = (last: Message): Dialog => ({
  id: 7, type: 'direct', title: null, member_count: 2, members: [person('1', 'Me'), person('2', 'Bob')], members_state: [], avatar_url: null,
  history: 'all', membership: 'member', muted: false, last_message: last, unread_count: 0, last_read_seq: last.seq, updated_at: last.created_at,
});

let chat: Chat;
afterEach(async () => {
  chat?.dispose();
  await setLang('en');
});

async function setup(items: Message[]): Promise<HTMLElement> {
  // No server here: what is sent stays on its way (the sending itself is chat.test.ts's and the browser test's).
  chat = new Chat({ base: 'http://chat.test/prefix', devId: 'demo', userId: '1', token: 'a.b.c', emit: () => {}, storage: null, prefs: null, code, fetch: () => new Promise(() => {}) });
  chat.dialogs.mergePage([dialog(items[items.length - 1]!)]);
  const full = await chat.loadFull();
  const thread = full.messages.thread(7);
  thread.merge(items);
  thread.status.value = 'loaded';
  const root = document.createElement('div');
  render(<DialogView chat={chat} dialogId={7} onClose={() => {}} />, root);
  return root;
}

it('an image is a preview sized from its dimensions, named by its file name, on the chat server', async () => {
  const root = await setup([msg(1, '', [photo])]);
  const img = root.querySelector<HTMLImageElement>('.shot img')!;
  expect(img.getAttribute('alt')).toBe('sea <b>view</b>.png');
  expect(root.querySelector('.shot b')).toBeNull(); // a name is text, never markup
  expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['240', '180']);
  // A path on the chat server: its origin, whatever path the script came from.
  expect(img.getAttribute('src')).toBe('http://chat.test/files/v1/demo/ppp/thumb?exp=1&sig=b');
  expect(root.querySelector('.shot')?.getAttribute('aria-haspopup')).toBe('dialog');
  // Files alone: no empty text line under them.
  expect(root.querySelector('.msg .bubble')).toBeNull();
});

it('a file is a card with its name as text in its own direction, its size and a download link', async () => {
  const root = await setup([msg(1, 'The report', [pdf])]);
  const card = root.querySelector<HTMLAnchorElement>('a.file')!;
  expect(card.getAttribute('href')).toBe('http://chat.test/files/v1/demo/fff?exp=1&sig=c');
  expect(card.getAttribute('download')).toBe('تقرير سنوي.pdf');
  expect(card.getAttribute('aria-label')).toBe('Download تقرير سنوي.pdf');
  expect(card.getAttribute('title')).toBe('تقرير سنوي.pdf');
  const name = card.querySelector('.file-name')!;
  expect(name.textContent).toBe('تقرير سنوي.pdf');
  expect(name.getAttribute('dir')).toBe('auto');
  expect(card.querySelector('.file-size')?.textContent).toBe('1.2 MB');
  expect(root.querySelector('.msg .bubble')?.textContent).toBe('The report');
});

it('several images share a grid of squares; a link off the chat server is not made', async () => {
  const elsewhere = { ...photo, id: 'q'.repeat(22), thumb_url: 'https://evil.example/x.png' };
  const hostile = { ...pdf, id: 'g'.repeat(22), url: 'javascript:alert(1)' };
  const root = await setup([msg(1, '', [photo, { ...photo, id: 'r'.repeat(22) }, elsewhere, hostile])]);
  const imgs = [...root.querySelectorAll<HTMLImageElement>('.shots.grid img')];
  expect(imgs.map((i) => [i.getAttribute('width'), i.getAttribute('height')])).toEqual([['118', '118'], ['118', '118']]);
  expect(root.querySelector('a.file')).toBeNull();
  expect(root.querySelector('div.file .file-name')?.textContent).toBe(pdf.name);
});

it('the list previews a message of files alone as "Photo", "2 photos" or "📎 name", in the language', async () => {
  const root = document.createElement('div');
  await setup([msg(1, '', [photo])]);
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  const preview = () => root.querySelector('.preview')?.textContent;
  expect(preview()).toBe('Photo');
  chat.dialogs.mergePage([dialog(msg(2, '', [photo, photo]))]);
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  expect(preview()).toBe('2 photos');
  chat.dialogs.mergePage([dialog(msg(3, '', [photo, pdf]))]);
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  expect(preview()).toBe(`📎 ${pdf.name}`);
  await setLang('ru');
  chat.dialogs.mergePage([dialog(msg(4, '', [photo]))]);
  render(<DialogList chat={chat} onClose={() => {}} />, root);
  expect(preview()).toBe('Фото');
});

it('the composer has a paperclip "Attach files"; Send carries the uploaded files and may have no text', async () => {
  const root = await setup([msg(1, 'hi', [])]);
  const attach = root.querySelector<HTMLButtonElement>('button.attach')!;
  expect(attach.getAttribute('aria-label')).toBe('Attach files');
  expect(root.querySelector<HTMLInputElement>('input[type=file]')?.multiple).toBe(true);
  const full = chat.full();
  // With nothing to send, Send stays off.
  expect(root.querySelector<HTMLButtonElement>('button.send')?.disabled).toBe(true);
  // A message of files alone goes through the outbox with their ids and shows them at once.
  expect(full.send(7, '   ', [])).toBe(false);
  expect(full.send(7, '', [pdf])).toBe(true);
  const pending = full.messages.thread(7).items.value.at(-1)!;
  expect(pending).toMatchObject({ status: 'pending', text: '', attachments: [pdf] });
});

it('sizes read in the language with decimal units; previews keep their shape within bounds', async () => {
  expect([820, 1000, 999_960, 1_234_567, 15_000_000].map(formatSize)).toEqual(['820 bytes', '1 kB', '1 MB', '1.2 MB', '15 MB']);
  await setLang('ru');
  expect(formatSize(1_234_567)).toBe('1,2 МБ');
  expect(fitBox(300, 3000, 240)).toEqual({ width: 80, height: 240 }); // a tall strip stays tappable
  expect(fitBox(100, 50, 240)).toEqual({ width: 100, height: 60 }); // small ones are not blown up
  expect(fitBox(undefined, undefined, 240)).toEqual({ width: 240, height: 180 });
  expect(expiresSoon('http://x/f?exp=100', 15_000, 90_000)).toBe(true);
  expect(expiresSoon('http://x/f?exp=200', 15_000, 90_000)).toBe(false);
});
