// A clock the tests move by hand, handed to the server as its `now`: token expiry, last_seen_at,
// caches and event retention read it, so a test sets the time instead of waiting for it.

/** Far from the wall clock on purpose: code that reads Date.now() instead of `now` shows up. */
export const TEST_EPOCH_MS = Date.UTC(2031, 0, 1);

export class ManualClock {
  constructor(private ms = TEST_EPOCH_MS) {}

  /** The server's `now`; bound, so it can be passed around on its own. */
  readonly now = (): number => this.ms;

  set(ms: number): void {
    this.ms = ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
