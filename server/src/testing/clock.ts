// A clock the tests move by hand, handed to the server as its `now` (token expiry, last_seen_at,
// caches and event retention read it) and, when a test opts in, as its timers (presence grace,
// typing expiry, auth timeout, token-expiry close), which then fire only when the test moves the
// clock past them: a test sets the time instead of waiting for it.
import type { TimerHandle, Timers } from '../util/timers.ts';

/** Far from the wall clock on purpose: code that reads Date.now() instead of `now` shows up. */
export const TEST_EPOCH_MS = Date.UTC(2031, 0, 1);

/** Node's longest delay; a longer one, a shorter one than 1 ms or NaN means 1 ms there, and here. */
const TIMEOUT_MAX_MS = 2 ** 31 - 1;

interface Pending {
  at: number;
  handle: TimerHandle;
  run: () => void;
}

export class ManualClock implements Timers {
  /** Soonest first; timers due at the same moment in the order they were set. */
  private readonly pending: Pending[] = [];
  private moving = false;

  constructor(private ms = TEST_EPOCH_MS) {}

  /** The server's `now`; bound, so it can be passed around on its own. */
  readonly now = (): number => this.ms;

  /** Runs `fn(...args)` when the clock is moved to `ms` from now or past it; never synchronously. */
  readonly setTimeout = <A extends unknown[]>(fn: (...args: A) => void, ms: number, ...args: A): TimerHandle => {
    const delay = ms >= 1 && ms <= TIMEOUT_MAX_MS ? ms : 1;
    const handle: TimerHandle = { unref() {} };
    const timer: Pending = { at: this.ms + delay, handle, run: () => fn(...args) };
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.at > timer.at) i--;
    this.pending.splice(i, 0, timer);
    return handle;
  };

  readonly clearTimeout = (handle: TimerHandle | undefined): void => {
    const i = this.pending.findIndex((p) => p.handle === handle);
    if (i >= 0) this.pending.splice(i, 1);
  };

  /** When each pending timer is due, soonest first: lets a test wait until a timer has been set. */
  pendingTimers(): number[] {
    return this.pending.map((p) => p.at);
  }

  /**
   * Moves the clock to `ms`, running every timer due by then (including those their callbacks set)
   * in due order, synchronously; `now()` reads each one's due time while it runs. Moving back runs
   * nothing, and pending timers keep their due times. A callback that throws stops the move at its
   * due time, and the error comes out of here.
   */
  set(ms: number): void {
    if (this.moving) throw new Error('ManualClock: a timer callback moved the clock');
    this.moving = true;
    try {
      while (this.pending.length && this.pending[0]!.at <= ms) {
        const timer = this.pending.shift()!;
        this.ms = timer.at;
        timer.run();
      }
      this.ms = ms;
    } finally {
      this.moving = false;
    }
  }

  advance(ms: number): void {
    this.set(this.ms + ms);
  }
}
