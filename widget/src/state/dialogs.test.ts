// The dialog list moves on from the live events alone: previews, order, unread counts and read
// positions (system messages never unread), and which dialog is "the dialog with" someone.
import type { Dialog, Message } from '@imbachat/server/protocol';
import { expect, it } from 'vitest';
import { DialogsModel, mergeDialog, partnerOf } from './dialogs.ts';
import { dialogName } from './gist.ts';

const person = (id: string, name: string) => ({ user_id: id, name, avatar_url: null, profile_url: null });
const me = person('1', 'Me');
const bob = person('2', 'Bob');
const carol = person('3', 'Carol');

function msg(dialog_id: number, seq: number, sender_id = '2'): Message {
  return { id: dialog_id * 1000 + seq, dialog_id, seq, sender_id, kind: 'text', text: `m${seq}`, client_msg_id: null, system: null, attachments: [], created_at: new Date(Date.UTC(2026, 0, 1, 10, seq)).toISOString() };
}

function direct(id: number, extra: Partial<Dialog> = {}): Dialog {
  return { id, type: 'direct', title: null, member_count: 2, members: [me, bob], members_state: [], avatar_url: null, history: 'all', membership: 'member', muted: false, last_message: null, unread_count: 0, last_read_seq: 0, updated_at: '2026-01-01T00:00:00.000Z', ...extra };
}

function group(id: number, extra: Partial<Dialog> = {}): Dialog {
  return { ...direct(id), type: 'group', title: 'Hiking club', member_count: 3, members: [me, bob, carol], ...extra };
}

it("someone else's message becomes the preview and counts as unread after my read position", () => {
  const m = new DialogsModel('1');
  m.upsert(direct(7, { last_message: msg(7, 2), last_read_seq: 2 }));
  m.noteMessage(msg(7, 3));
  m.noteMessage(msg(7, 4));
  expect(m.byId(7)).toMatchObject({ last_message: { seq: 4 }, unread_count: 2, last_read_seq: 2, updated_at: msg(7, 4).created_at });
});

it('my own message (this tab or another) marks the dialog read up to it', () => {
  const m = new DialogsModel('1');
  m.upsert(direct(7, { last_message: msg(7, 3), unread_count: 3 }));
  m.noteMessage(msg(7, 4, '1'));
  expect(m.byId(7)).toMatchObject({ last_message: { seq: 4 }, unread_count: 0, last_read_seq: 4 });
});

it('a message seen twice (a replay, the POST answer and message.new) changes nothing the second time', () => {
  const m = new DialogsModel('1');
  m.upsert(direct(7));
  m.noteMessage(msg(7, 1));
  const before = m.byId(7);
  m.noteMessage(msg(7, 1));
  expect(m.byId(7)).toBe(before);
  expect(m.unreadTotal.value).toBe(1);
});

it('a message moves its dialog to the top of the list', () => {
  const m = new DialogsModel('1');
  m.mergePage([direct(7, { updated_at: '2026-01-01T09:00:00.000Z' }), direct(8, { updated_at: '2026-01-01T08:00:00.000Z' })]);
  expect(m.items.value.map((d) => d.id)).toEqual([7, 8]);
  m.noteMessage(msg(8, 1));
  expect(m.items.value.map((d) => d.id)).toEqual([8, 7]);
});

it('a read in another tab leaves unread only what came after it, and never moves back', () => {
  const m = new DialogsModel('1');
  m.upsert(direct(7, { last_message: msg(7, 5), last_read_seq: 1, unread_count: 4 }));
  m.ownRead(7, 3);
  expect(m.byId(7)).toMatchObject({ last_read_seq: 3, unread_count: 2 });
  m.ownRead(7, 2); // an older read arriving late
  expect(m.byId(7)).toMatchObject({ last_read_seq: 3, unread_count: 2 });
  m.ownRead(7, 5);
  expect(m.byId(7)).toMatchObject({ last_read_seq: 5, unread_count: 0 });
});

it('a snapshot older than what the list knows never rolls back the preview, the read position or the count', () => {
  const known = direct(7, { last_message: msg(7, 5), last_read_seq: 5, unread_count: 0, updated_at: msg(7, 5).created_at });
  const stale = direct(7, { last_message: msg(7, 3), last_read_seq: 2, unread_count: 1, updated_at: msg(7, 3).created_at });
  expect(mergeDialog(known, stale)).toMatchObject({ last_message: { seq: 5 }, last_read_seq: 5, unread_count: 0, updated_at: msg(7, 5).created_at });
  // Newer on one side each (a message here, a read elsewhere): counted from the merged positions.
  const readElsewhere = direct(7, { last_message: msg(7, 4), last_read_seq: 4, unread_count: 0 });
  expect(mergeDialog(direct(7, { last_message: msg(7, 6), last_read_seq: 2, unread_count: 4 }), readElsewhere)).toMatchObject({ last_message: { seq: 6 }, last_read_seq: 4, unread_count: 2 });
  // A newer snapshot wins whole.
  expect(mergeDialog(stale, known)).toMatchObject({ last_message: { seq: 5 }, last_read_seq: 5, unread_count: 0 });
});

it('system messages (who joined, a rename) become the preview but are never unread', () => {
  const m = new DialogsModel('1');
  m.upsert(group(9, { last_message: msg(9, 2), last_read_seq: 2 }));
  m.noteMessage(msg(9, 3));
  m.noteMessage({ ...msg(9, 4), sender_id: null, kind: 'system', system: { action: 'added', actor_id: '2', user_ids: ['3'], title: null } });
  m.noteMessage(msg(9, 5));
  expect(m.byId(9)).toMatchObject({ last_message: { seq: 5 }, unread_count: 2 });
  // A read elsewhere up to the system message leaves what came after it, not "seq minus read".
  m.ownRead(9, 4);
  expect(m.byId(9)).toMatchObject({ last_read_seq: 4, unread_count: 1 });
  // A snapshot whose count knows of system messages is believed over "last seq minus read".
  const server = group(9, { last_message: msg(9, 5), last_read_seq: 2, unread_count: 2 });
  expect(mergeDialog(group(9, { last_message: msg(9, 6), last_read_seq: 2, unread_count: 3 }), server)).toMatchObject({ unread_count: 3 });
  expect(mergeDialog(server, group(9, { last_message: msg(9, 5), last_read_seq: 4, unread_count: 1 }))).toMatchObject({ unread_count: 1 });
});

it('a group I left or was removed from keeps its count but leaves the total (it can no longer be read)', () => {
  const m = new DialogsModel('1');
  m.upsert(group(8, { unread_count: 2 }));
  m.upsert(direct(7, { unread_count: 1 }));
  expect(m.unreadTotal.value).toBe(3);
  m.upsert(group(8, { unread_count: 2, membership: 'removed', updated_at: '2026-01-01T00:01:00.000Z' }));
  expect(m.byId(8)?.unread_count).toBe(2);
  expect(m.unreadTotal.value).toBe(1);
});

it('"the dialog with" a user is the direct one, never a group they are in', () => {
  const m = new DialogsModel('1');
  m.mergePage([group(9, { unread_count: 5 }), direct(7, { members: [me, carol], unread_count: 1 })]);
  expect(m.withUser('2')).toBeUndefined();
  expect(m.withUser('3')?.id).toBe(7);
  expect(partnerOf(m.byId(9)!, '1')).toBeNull();
  expect(dialogName(m.byId(9)!, '1')).toBe('Hiking club');
  expect(dialogName(m.byId(7)!, '1')).toBe('Carol');
});
