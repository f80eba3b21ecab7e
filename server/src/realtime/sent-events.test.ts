// One socket's record of the events it was sent: nothing twice, nothing skipped, out of order or not.
import { expect, it } from 'vitest';
import { SENT_WINDOW, SentEvents } from './sent-events.ts';

it('an event overtaken by a later one still goes out once, and neither goes twice', () => {
  const sent = new SentEvents();
  sent.settle(10);
  expect(sent.has(10)).toBe(true); // read from the log
  expect(sent.has(12)).toBe(false);
  sent.take(12); // N+1 first
  expect(sent.has(11)).toBe(false); // N, late, still goes
  sent.take(11);
  expect([sent.has(11), sent.has(12)]).toEqual([true, true]);
  expect(sent.floor).toBe(10);
});

it('a log read up to a position settles everything at or below it', () => {
  const sent = new SentEvents();
  sent.take(5);
  sent.take(9);
  sent.settle(7);
  expect(sent.floor).toBe(7);
  expect([sent.has(6), sent.has(8), sent.has(9)]).toEqual([true, false, true]);
});

it('past the window the oldest sent event becomes the floor, so the record stays bounded', () => {
  const sent = new SentEvents();
  for (let id = 2; id <= SENT_WINDOW + 2; id++) sent.take(id);
  expect(sent.floor).toBe(2);
  expect(sent.has(1)).toBe(true); // at or below the floor: taken as settled
  expect(sent.has(SENT_WINDOW + 3)).toBe(false);
});
