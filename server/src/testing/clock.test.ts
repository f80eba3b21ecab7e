import { describe, expect, it } from 'vitest';
import { ManualClock, TEST_EPOCH_MS } from './clock.ts';

describe('ManualClock timers', () => {
  it('fires a timer when the clock reaches its due time, not a millisecond before, and never inside setTimeout', () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 100);
    expect(seen).toEqual([]);
    clock.advance(99);
    expect(seen).toEqual([]);
    clock.advance(1);
    expect(seen).toEqual([TEST_EPOCH_MS + 100]);
    clock.advance(1_000);
    expect(seen).toHaveLength(1);
  });

  it('runs due timers in due-time order, ties in the order they were set, each seeing its own due time', () => {
    const clock = new ManualClock(0);
    const seen: Array<[string, number]> = [];
    const at = (name: string) => () => seen.push([name, clock.now()]);
    clock.setTimeout(at('a'), 30);
    clock.setTimeout(at('b'), 10);
    clock.setTimeout(at('c'), 30);
    clock.setTimeout(at('d'), 20);
    clock.setTimeout(at('late'), 101);
    clock.advance(100);
    expect(seen).toEqual([
      ['b', 10],
      ['d', 20],
      ['a', 30],
      ['c', 30],
    ]);
    expect(clock.now()).toBe(100);
    expect(clock.pendingTimers()).toEqual([101]);
  });

  it('fires, in the same move, the timers that callbacks set when they are due by its end', () => {
    const clock = new ManualClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => {
      seen.push(['first', clock.now()]);
      clock.setTimeout(() => seen.push(['chained', clock.now()]), 5);
      clock.setTimeout(() => seen.push(['beyond', clock.now()]), 50);
    }, 10);
    clock.setTimeout(() => seen.push(['other', clock.now()]), 12);
    clock.advance(20);
    expect(seen).toEqual([
      ['first', 10],
      ['other', 12],
      ['chained', 15],
    ]);
    clock.advance(40);
    expect(seen.at(-1)).toEqual(['beyond', 60]);
  });

  it('reads delays as Node does: under 1 ms, NaN and over 2^31-1 ms mean 1 ms', () => {
    const clock = new ManualClock(0);
    for (const ms of [0, -5, Number.NaN, 2 ** 31]) clock.setTimeout(() => {}, ms);
    clock.setTimeout(() => {}, 2 ** 31 - 1);
    expect(clock.pendingTimers()).toEqual([1, 1, 1, 1, 2 ** 31 - 1]);
    clock.advance(0);
    expect(clock.pendingTimers()).toHaveLength(5);
    clock.advance(1);
    expect(clock.pendingTimers()).toEqual([2 ** 31 - 1]);
  });

  it('passes the extra arguments to the callback', () => {
    const clock = new ManualClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimeout((s: string, n: number) => seen.push([s, n]), 1, 'x', 7);
    clock.advance(1);
    expect(seen).toEqual([['x', 7]]);
  });

  it('never fires a cleared timer, even one cleared by a callback of the same move; clearing twice or nothing is harmless', () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const cleared = clock.setTimeout(() => seen.push('cleared'), 10);
    const later = clock.setTimeout(() => seen.push('later'), 30);
    clock.setTimeout(() => {
      seen.push('canceller');
      clock.clearTimeout(later);
    }, 20);
    clock.clearTimeout(cleared);
    clock.clearTimeout(cleared);
    clock.clearTimeout(undefined);
    clock.advance(100);
    expect(seen).toEqual(['canceller']);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it('set() fires what is due by the new time; moving back fires nothing and keeps the due times', () => {
    const clock = new ManualClock(1_000);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 100);
    clock.set(500);
    expect(seen).toEqual([]);
    clock.set(1_099);
    expect(seen).toEqual([]);
    clock.set(5_000);
    expect(seen).toEqual([1_100]);
    expect(clock.now()).toBe(5_000);
  });

  it('stops a move at a callback that throws, passing the error on and keeping the later timers', () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => seen.push('after'), 20);
    expect(() => clock.advance(100)).toThrow('boom');
    expect(clock.now()).toBe(10);
    expect(seen).toEqual([]);
    clock.advance(90);
    expect(seen).toEqual(['after']);
  });

  it('refuses to be moved from inside a timer callback', () => {
    const clock = new ManualClock(0);
    clock.setTimeout(() => clock.advance(5), 1);
    expect(() => clock.advance(1)).toThrow(/moved the clock/);
  });
});
