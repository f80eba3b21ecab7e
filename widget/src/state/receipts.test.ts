// Ticks and "Read by N": how far the others got, from snapshots and live receipts, forward only.
import type { Dialog } from '@imbachat/server/protocol';
import { expect, it } from 'vitest';
import { Receipts } from './receipts.ts';

const state = (user_id: string, read = 0, delivered = read) => ({ user_id, last_read_seq: read, last_delivered_seq: delivered, online: false, last_seen_at: null, role: 'member' as const, joined_at: '2026-01-01T00:00:00.000Z' });
const group = (members_state: Dialog['members_state']) => ({ id: 9, members_state }) as Dialog;

it('group receipts: delivered once at least one other member has it, read once at least one read it', () => {
  const r = new Receipts('1');
  r.seed(group([state('1', 9), state('2', 1, 4), state('3', 2, 3)]));
  expect(r.furthest.value[9]).toEqual({ read: 2, delivered: 4 }); // my own positions do not count
  r.set(9, { read: 5 }, '3'); // Carol read up to 5
  expect(r.furthest.value[9]).toEqual({ read: 5, delivered: 5 });
  r.set(9, { read: 3 }, '2'); // Bob is behind: the tick stays
  expect(r.furthest.value[9]).toEqual({ read: 5, delivered: 5 });
  // Each member's own live read, for "Read by N".
  expect(r.reads.value[9]).toEqual({ '3': 5, '2': 3 });
  r.set(9, { read: 2 }, '3');
  expect(r.reads.value[9]).toEqual({ '3': 5, '2': 3 });
  // An older snapshot never takes a tick away.
  r.seed(group([state('2', 1, 1)]));
  expect(r.furthest.value[9]).toEqual({ read: 5, delivered: 5 });
});
