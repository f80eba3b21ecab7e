// Reconnect delays: "full jitter" exponential backoff, capped. Spreading retries at random over
// the whole window keeps thousands of tabs from reconnecting in step after a server restart.

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { minMs: 500, maxMs: 20_000 };

/** The delay before retry number `attempt` (0-based): uniform in [0, min(max, min·2^attempt)]. */
export function backoffDelay(attempt: number, opts: BackoffOptions = defaultBackoff, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
