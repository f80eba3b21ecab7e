// Where the server's one-shot timers come from (presence grace, typing expiry, auth timeout,
// token-expiry close): an argument, so tests move time by hand instead of waiting for it.

/** What setTimeout answers: give it back to clearTimeout; `unref` lets the process exit while it is pending. */
export interface TimerHandle {
  unref(): void;
}

export interface Timers {
  /** Runs `fn(...args)` once, `ms` from now (never synchronously), unless cleared first. */
  setTimeout<A extends unknown[]>(fn: (...args: A) => void, ms: number, ...args: A): TimerHandle;
  /** Cancels a pending timer; a fired, cleared or absent one is ignored. */
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** The process's own timers, looked up on every call as a direct call to them would be. */
export const realTimers: Timers = {
  setTimeout: (fn, ms, ...args) => setTimeout(fn, ms, ...args),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
