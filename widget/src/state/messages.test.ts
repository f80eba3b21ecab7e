import type { Message } from '@imbachat/server/protocol';
import { expect, it } from 'vitest';
import { fromServer, mergeMessages, type ChatMessage } from './messages.ts';

const msg = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: 100 + seq,
  dialog_id: 1,
  seq,
  sender_id: '2',
  kind: 'text',
  text: `m${seq}`,
  system: null,
  client_msg_id: null,
  created_at: new Date(2026, 0, 1, 10, seq).toISOString(),
  attachments: [],
  ...extra,
} as Message);
const pending = (cid: string): ChatMessage => ({
  key: `c:${cid}`, id: null, seq: null, dialog_id: 1, sender_id: '1', kind: 'text', system: null, text: 'hi', client_msg_id: cid, created_at: new Date().toISOString(), attachments: [], status: 'pending',
});

it('a catch-up page overlapping what is shown adds each message once, in seq order', () => {
  const shown = [msg(1), msg(2), msg(3)].map((m) => fromServer(m));
  const merged = mergeMessages(shown, [msg(5), msg(3), msg(4)]);
  expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
});

it('the POST answer and message.new for my message replace the pending bubble, keeping its key', () => {
  const local = pending('abc');
  const sent = msg(4, { sender_id: '1', kind: 'text', system: null, text: 'hi', client_msg_id: 'abc' });
  let list = mergeMessages([fromServer(msg(3)), local], [sent]);
  list = mergeMessages(list, [sent]); // message.new after the POST answer
  expect(list).toHaveLength(2);
  expect(list[1]).toMatchObject({ key: 'c:abc', id: 104, status: 'sent' });
});

it('pending and failed messages stay after the sent ones while newer messages arrive', () => {
  const list = mergeMessages([fromServer(msg(1)), pending('x')], [msg(2)]);
  expect(list.map((m) => m.seq ?? 'local')).toEqual([1, 2, 'local']);
});

it('older pages merge in front', () => {
  const list = mergeMessages([msg(10), msg(11)].map((m) => fromServer(m)), [msg(8), msg(9)]);
  expect(list.map((m) => m.seq)).toEqual([8, 9, 10, 11]);
});
