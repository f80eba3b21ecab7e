// The rate-limiter interface: named token buckets, taken from all at once or not at all. The
// in-process implementation is memory.ts (later Redis); contract.ts is the suite every one passes.

/** One bucket's size and refill. */
export interface BucketSpec {
  /** Tokens a full bucket holds: how many actions may come at once after a quiet spell. */
  burst: number;
  /** Tokens added back per second, continuously, up to `burst`: the sustained rate. */
  perSecond: number;
}

export interface BucketRequest {
  /** Opaque and compared exactly; the caller puts the widget, the scope and the identity in it. */
  key: string;
  spec: BucketSpec;
}

export type Decision =
  | { allowed: true }
  | {
      allowed: false;
      /** The shortest wait after which the same take succeeds, if nothing else takes meanwhile; > 0. */
      retryAfterMs: number;
      /** Index (into the request list) of the bucket that waits longest. */
      refused: number;
    };

/**
 * Promises:
 * - `take` is all-or-nothing: it takes one token from every named bucket, or, when any of them
 *   holds less than one, takes none and says how long to wait. Concurrent takes on one key never
 *   grant more than the bucket holds (one atomic step per call, also across nodes for a shared
 *   implementation).
 * - A key never seen before (or forgotten) starts full: `burst` takes succeed at once.
 * - Time is the injected clock's; refill is continuous at `perSecond`, capped at `burst`. A clock
 *   that moves back refills nothing and takes nothing away.
 * - The spec comes with every call, so a changed limit applies at the next call: a bucket holding
 *   more than a lowered burst is cut to it; a raised burst fills up by refilling, not at once.
 * Limits: a limiter may forget a bucket (each implementation says when); forgetting only ever
 * forgives, so a limiter under pressure errs toward allowing, never toward refusing someone new.
 */
export interface RateLimiter {
  take(buckets: BucketRequest[]): Promise<Decision>;
  close(): Promise<void>;
}
