// The PresenceStore and TypingStore contract suites: the promises of presence/types.ts that the
// in-process stores keep today and a Redis one must keep later. Time is a parameter of each suite:
// a store whose timers are injected runs on a ManualClock the suite moves, and its periods are
// checked to the millisecond; a store whose TTLs run elsewhere (Redis) is given no clock, and the
// suite waits for real, with short periods and room for timer slop.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../testing/clock.ts';
import type { PresenceStore, TypingStore } from './types.ts';

export type OpenPresence = (options: { graceMs: number }) => Promise<{ presence: PresenceStore; cleanup: () => Promise<void> }>;
export type OpenTyping = () => Promise<{ typing: TypingStore; cleanup: () => Promise<void> }>;
export interface ContractOptions {
  /** The clock the store's timers run on (the one `open` gave it); without it, time is real. */
  clock?: ManualClock;
}

const GRACE_MS = 60;
const TTL_MS = 60;
// Real timers may fire a little early; a shorter wait than this means the period was not kept.
const SLOP_MS = 10;
// A period kept far too long is a bug too; the bound leaves room for a loaded machine.
const LATE_MS = 500;
// "It did not happen" is watched for this many periods: long enough for a late timer, still short.
const QUIET = 3;
const WAIT_TIMEOUT_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How time passes for the store under test, and how exactly its periods can be checked. */
interface SuiteTime {
  now(): number;
  /** Lets `ms` pass: moves the clock (running what falls due), or waits for real. */
  pass(ms: number): Promise<void>;
  /** A time a period of `ms` has surely not reached: 1 ms short of it on a clock the suite moves, half of it in real time. */
  shortOf(ms: number): number;
  /** How much shorter, and how much longer, a period may seem. */
  early: number;
  late: number;
}

function suiteTime(clock: ManualClock | undefined): SuiteTime {
  if (clock) return { now: clock.now, pass: async (ms) => clock.advance(ms), shortOf: (ms) => ms - 1, early: 0, late: 0 };
  return { now: () => performance.now(), pass: sleep, shortOf: (ms) => ms / 2, early: SLOP_MS, late: LATE_MS };
}

/** Checks that a period of `ms` begun at `from` ended at `at`, as exactly as `time` allows. */
function endedAfter(time: SuiteTime, from: number, at: number, ms: number): void {
  expect(at - from).toBeGreaterThanOrEqual(ms - time.early);
  expect(at - from).toBeLessThanOrEqual(ms + time.late);
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
const uniqueWidget = () => 1_000 + Math.floor(Math.random() * 1e6);

/** Records listener calls, with the time on the store's clock, and resolves when one matching `match` arrives. */
function calls<A extends unknown[]>(now: () => number) {
  const seen: Array<{ args: A; at: number }> = [];
  const waiters: Array<{ match: (a: A) => boolean; resolve: (at: number) => void }> = [];
  const listener = (...args: A) => {
    const at = now();
    seen.push({ args, at });
    for (const w of waiters) if (w.match(args)) w.resolve(at);
  };
  const next = (match: (a: A) => boolean) =>
    new Promise<number>((resolve, reject) => {
      const done = seen.find((s) => match(s.args));
      if (done) return resolve(done.at);
      const timer = setTimeout(() => reject(new Error('listener was not called')), WAIT_TIMEOUT_MS);
      waiters.push({ match, resolve: (at) => (clearTimeout(timer), resolve(at)) });
    });
  const count = (match: (a: A) => boolean) => seen.filter((s) => match(s.args)).length;
  return { listener, next, count };
}

export function presenceContract(name: string, open: OpenPresence, options: ContractOptions = {}) {
  const time = suiteTime(options.clock);
  describe(`PresenceStore contract: ${name}`, () => {
    let presence: PresenceStore;
    let cleanup: () => Promise<void>;
    let offline: ReturnType<typeof calls<[number, string]>>;
    const isUser = (w: number, u: string) => (a: [number, string]) => a[0] === w && a[1] === u;

    beforeEach(async () => {
      ({ presence, cleanup } = await open({ graceMs: GRACE_MS }));
      offline = calls<[number, string]>(time.now);
      presence.onOffline(offline.listener);
    });
    afterEach(async () => {
      await cleanup();
    });

    it('connect answers true for the first connection of an offline user, false for a second tab', async () => {
      const w = uniqueWidget();
      const u = unique('u');
      expect(await presence.connect(w, u, unique('c'))).toBe(true);
      expect(await presence.connect(w, u, unique('c'))).toBe(false);
      expect(await presence.onlineAmong(w, [u])).toEqual(new Set([u]));
    });

    it('closing one of two tabs keeps the user online and announces nothing', async () => {
      const w = uniqueWidget();
      const u = unique('u');
      const [c1, c2] = [unique('c'), unique('c')];
      await presence.connect(w, u, c1);
      await presence.connect(w, u, c2);
      await presence.disconnect(w, u, c1);
      await time.pass(GRACE_MS * QUIET);
      expect(await presence.onlineAmong(w, [u])).toEqual(new Set([u]));
      expect(offline.count(isUser(w, u))).toBe(0);
    });

    it('after the last tab closes the user stays online for the grace period, then goes offline once', async () => {
      const w = uniqueWidget();
      const u = unique('u');
      const c = unique('c');
      await presence.connect(w, u, c);
      const left = time.now();
      await presence.disconnect(w, u, c);
      expect(await presence.onlineAmong(w, [u])).toEqual(new Set([u]));
      await time.pass(time.shortOf(GRACE_MS));
      expect(await presence.onlineAmong(w, [u])).toEqual(new Set([u]));
      expect(offline.count(isUser(w, u))).toBe(0);
      await time.pass(GRACE_MS * QUIET);
      endedAfter(time, left, await offline.next(isUser(w, u)), GRACE_MS);
      expect(await presence.onlineAmong(w, [u])).toEqual(new Set());
      await time.pass(GRACE_MS * QUIET);
      expect(offline.count(isUser(w, u))).toBe(1);
      // Offline again, so the next connection is news.
      expect(await presence.connect(w, u, unique('c'))).toBe(true);
    });

    it('a reconnect within the grace period is not news and cancels the offline announcement', async () => {
      const w = uniqueWidget();
      const u = unique('u');
      const c = unique('c');
      await presence.connect(w, u, c);
      await presence.disconnect(w, u, c);
      expect(await presence.connect(w, u, unique('c'))).toBe(false);
      await time.pass(GRACE_MS * QUIET);
      expect(offline.count(isUser(w, u))).toBe(0);
      expect(await presence.onlineAmong(w, [u])).toEqual(new Set([u]));
    });

    it('onlineAmong answers exactly the online users among those asked', async () => {
      const w = uniqueWidget();
      const [on, lingering, never, other] = [unique('on'), unique('lingering'), unique('never'), unique('other')];
      await presence.connect(w, on, unique('c'));
      const c = unique('c');
      await presence.connect(w, lingering, c);
      await presence.disconnect(w, lingering, c);
      await presence.connect(w, other, unique('c'));
      expect(await presence.onlineAmong(w, [on, lingering, never])).toEqual(new Set([on, lingering]));
      expect(await presence.onlineAmong(w, [])).toEqual(new Set());
    });

    it('flush ends grace periods now, runs the listeners, and leaves connected users online', async () => {
      const w = uniqueWidget();
      const [leaving, staying] = [unique('leaving'), unique('staying')];
      const c = unique('c');
      await presence.connect(w, leaving, c);
      await presence.connect(w, staying, unique('c'));
      await presence.disconnect(w, leaving, c);
      await presence.flush();
      expect(offline.count(isUser(w, leaving))).toBe(1);
      expect(await presence.onlineAmong(w, [leaving, staying])).toEqual(new Set([staying]));
      // The cancelled grace timer must not announce the user a second time.
      await time.pass(GRACE_MS * QUIET);
      expect(offline.count(isUser(w, leaving))).toBe(1);
      expect(offline.count(isUser(w, staying))).toBe(0);
    });

    it('the same user id in two widgets is two users', async () => {
      const [w1, w2] = [uniqueWidget(), uniqueWidget() + 1_000_001];
      const u = unique('u');
      const c = unique('c');
      expect(await presence.connect(w1, u, c)).toBe(true);
      expect(await presence.connect(w2, u, c)).toBe(true);
      await presence.disconnect(w2, u, c);
      await time.pass(GRACE_MS);
      await offline.next(isUser(w2, u));
      expect(await presence.onlineAmong(w1, [u])).toEqual(new Set([u]));
      expect(await presence.onlineAmong(w2, [u])).toEqual(new Set());
      expect(offline.count(isUser(w1, u))).toBe(0);
    });

    it('a removed offline listener is not called', async () => {
      const w = uniqueWidget();
      const u = unique('u');
      const removed = calls<[number, string]>(time.now);
      presence.onOffline(removed.listener)();
      const c = unique('c');
      await presence.connect(w, u, c);
      await presence.disconnect(w, u, c);
      await time.pass(GRACE_MS);
      await offline.next(isUser(w, u));
      expect(removed.count(isUser(w, u))).toBe(0);
    });
  });
}

export function typingContract(name: string, open: OpenTyping, options: ContractOptions = {}) {
  const time = suiteTime(options.clock);
  describe(`TypingStore contract: ${name}`, () => {
    let typing: TypingStore;
    let cleanup: () => Promise<void>;
    let expired: ReturnType<typeof calls<[number, number, string]>>;
    const isEntry = (w: number, d: number, u: string) => (a: [number, number, string]) => a[0] === w && a[1] === d && a[2] === u;

    beforeEach(async () => {
      ({ typing, cleanup } = await open());
      expired = calls<[number, number, string]>(time.now);
      typing.onExpired(expired.listener);
    });
    afterEach(async () => {
      await cleanup();
    });

    it('start answers true when the user was not typing, false for a refresh', async () => {
      const [w, d, u] = [uniqueWidget(), 7, unique('u')];
      expect(await typing.start(w, d, u, 5_000)).toBe(true);
      expect(await typing.start(w, d, u, 5_000)).toBe(false);
    });

    it('stop answers true when the user was typing, false otherwise', async () => {
      const [w, d, u] = [uniqueWidget(), 7, unique('u')];
      expect(await typing.stop(w, d, u)).toBe(false);
      await typing.start(w, d, u, 5_000);
      expect(await typing.stop(w, d, u)).toBe(true);
      expect(await typing.stop(w, d, u)).toBe(false);
      expect(await typing.start(w, d, u, 5_000)).toBe(true);
    });

    it('an entry not refreshed expires by itself and runs onExpired once', async () => {
      const [w, d, u] = [uniqueWidget(), 7, unique('u')];
      const started = time.now();
      await typing.start(w, d, u, TTL_MS);
      await time.pass(time.shortOf(TTL_MS));
      expect(expired.count(isEntry(w, d, u))).toBe(0);
      await time.pass(TTL_MS * QUIET);
      endedAfter(time, started, await expired.next(isEntry(w, d, u)), TTL_MS);
      expect(await typing.stop(w, d, u)).toBe(false);
      await time.pass(TTL_MS * QUIET);
      expect(expired.count(isEntry(w, d, u))).toBe(1);
      expect(await typing.start(w, d, u, 5_000)).toBe(true);
    });

    it('a refresh postpones the expiry by a full ttl', async () => {
      const [w, d, u] = [uniqueWidget(), 7, unique('u')];
      await typing.start(w, d, u, TTL_MS);
      await time.pass(TTL_MS * 0.6);
      const refreshed = time.now();
      expect(await typing.start(w, d, u, TTL_MS)).toBe(false);
      await time.pass(TTL_MS * QUIET);
      endedAfter(time, refreshed, await expired.next(isEntry(w, d, u)), TTL_MS);
      await time.pass(TTL_MS * QUIET);
      expect(expired.count(isEntry(w, d, u))).toBe(1);
    });

    it('a stopped entry does not expire', async () => {
      const [w, d, u] = [uniqueWidget(), 7, unique('u')];
      await typing.start(w, d, u, TTL_MS);
      await typing.stop(w, d, u);
      await time.pass(TTL_MS * QUIET);
      expect(expired.count(isEntry(w, d, u))).toBe(0);
    });

    it('entries are per widget, dialog and user', async () => {
      const [w1, w2, u, v] = [uniqueWidget(), uniqueWidget() + 1_000_001, unique('u'), unique('v')];
      expect(await typing.start(w1, 1, u, 5_000)).toBe(true);
      expect(await typing.start(w2, 1, u, 5_000)).toBe(true);
      expect(await typing.start(w1, 2, u, 5_000)).toBe(true);
      expect(await typing.start(w1, 1, v, 5_000)).toBe(true);
      expect(await typing.stop(w2, 1, u)).toBe(true);
      expect(await typing.start(w1, 1, u, 5_000)).toBe(false);
      expect(await typing.stop(w1, 2, u)).toBe(true);
      expect(await typing.stop(w1, 1, v)).toBe(true);
      expect(await typing.stop(w1, 1, u)).toBe(true);
    });

    it('only the expired entry is announced, and a removed listener is not called', async () => {
      const [w, u, v] = [uniqueWidget(), unique('u'), unique('v')];
      const removed = calls<[number, number, string]>(time.now);
      typing.onExpired(removed.listener)();
      await typing.start(w, 1, u, TTL_MS);
      await typing.start(w, 1, v, 5_000);
      await time.pass(TTL_MS);
      await expired.next(isEntry(w, 1, u));
      expect(expired.count(isEntry(w, 1, v))).toBe(0);
      expect(removed.count(() => true)).toBe(0);
      expect(await typing.stop(w, 1, v)).toBe(true);
    });
  });
}
