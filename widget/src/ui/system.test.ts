// System messages in every catalogue the widget has: rendered from `system` (who did what to whom),
// never from the English `text`, with names from the members; someone the chat cannot name gets
// the server's English rendering on English pages and a plain word elsewhere.
import type { Dialog, SystemEvent } from '@imbachat/server/protocol';
import { afterEach, expect, it } from 'vitest';
import { LANGUAGES, setLang } from '../i18n/index.ts';
import { systemText, type NameOf } from './system.ts';

const names: Record<string, string> = { '1': 'Alice', '2': 'Bob', '3': 'Carol', '4': 'مريم' };
const nameOf: NameOf = (_d, id) => names[id] ?? null;
const dialog = {} as Dialog;
const say = (action: SystemEvent['action'], actor_id: string | null, user_ids: string[] = [], title: string | null = null, text = 'English text') =>
  systemText({ system: { action, actor_id, user_ids, title }, text }, dialog, nameOf);

afterEach(() => setLang('en'));

it('English: who did what, to whom, with lists and plurals', async () => {
  await setLang('en');
  expect(say('created', '1')).toBe('Alice created the group');
  expect(say('added', '1', ['2'])).toBe('Alice added Bob');
  expect(say('added', '1', ['2', '3', '4'])).toBe('Alice added Bob, Carol, and مريم');
  expect(say('removed', '1', ['3'])).toBe('Alice removed Carol');
  expect(say('left', '3')).toBe('Carol left');
  expect(say('renamed', '1', [], 'Hikers $& {users}')).toBe('Alice renamed the group to “Hikers $& {users}”');
  expect(say('avatar', '2')).toBe('Bob changed the group picture');
  expect(say('promoted', '1', ['2'])).toBe('Bob is now an admin');
  expect(say('promoted', '1', ['2', '3'])).toBe('Bob and Carol are now admins');
  expect(say('demoted', '1', ['2'])).toBe('Bob is no longer an admin');
  expect(say('owner', null, ['3', '2'])).toBe('Carol is now the owner');
  expect(say('notice', null, [], null, 'The group is read-only tonight.')).toBe('The group is read-only tonight.');
  // Done by the site (no actor): "Someone".
  expect(say('added', null, ['2'])).toBe('Someone added Bob');
  // Someone who left before this page: the server's rendering names them.
  expect(say('left', '99', [], null, 'Dan left')).toBe('Dan left');
});

it('Russian: no guessing of gender or case, names stay in the nominative', async () => {
  await setLang('ru');
  expect(say('created', '1')).toBe('Alice создал(а) группу');
  expect(say('added', '1', ['2', '3'])).toBe('Alice добавил(а) в группу: Bob и Carol');
  expect(say('removed', '1', ['3'])).toBe('Alice удалил(а) из группы: Carol');
  expect(say('left', '3')).toBe('Carol покинул(а) группу');
  expect(say('renamed', '1', [], 'Походы')).toBe('Alice переименовал(а) группу в «Походы»');
  expect(say('promoted', '1', ['2'])).toBe('Bob теперь администратор');
  expect(say('promoted', '1', ['2', '3'])).toBe('Bob и Carol теперь администраторы');
  expect(say('demoted', '1', ['2', '3', '4', '1', '2'])).toBe('Bob, Carol, مريم, Alice и Bob больше не администраторы');
  expect(say('owner', '1', ['3'])).toBe('Carol теперь владелец группы');
  // Not the English text: a plain word for whom the chat cannot name.
  expect(say('left', '99', [], null, 'Dan left')).toBe('Кто-то покинул(а) группу');
  expect(say('removed', '1', ['99'], null, 'Alice removed Dan')).toBe('Alice удалил(а) из группы: участник');
  // The message kept the names it mentions: someone gone is still named, in the page's language.
  const kept = (action: SystemEvent['action'], actor_id: string | null, user_ids: string[]) =>
    systemText({ system: { action, actor_id, user_ids, title: null, names: { '99': 'Дан' } }, text: 'English text' }, dialog, nameOf);
  expect(kept('left', '99', [])).toBe('Дан покинул(а) группу');
  expect(kept('removed', '1', ['99'])).toBe('Alice удалил(а) из группы: Дан');
});

it('every catalogue renders every action, with no placeholder left and not in English', async () => {
  for (const lang of LANGUAGES) {
    await setLang(lang);
    for (const action of ['created', 'added', 'removed', 'left', 'renamed', 'avatar', 'promoted', 'demoted', 'owner'] as const) {
      const text = say(action, '1', ['2'], 'T');
      expect(text, `${lang} ${action}`).not.toMatch(/[{}]|English text/);
      expect(text, `${lang} ${action}`).toMatch(action === 'promoted' || action === 'demoted' || action === 'owner' ? /Bob/ : /Alice/);
    }
  }
});
