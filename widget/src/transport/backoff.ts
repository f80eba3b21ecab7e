// Reconnect delays: "full jitter" exponential backoff, capped. Spreading retries at random over
// the whole window keeps thousands of tabs from reconnecting in step after a server restart.

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { minMs: 500, maxMs: 20_000 };

/** The delay before retry number `attempt` (0-based): min plus a jitter uniform in
 *  [0, min·2^attempt], capped at max. The floor keeps a failing server from being hit in a
 *  tight loop when the jitter comes out near 0. */
export function backoffDelay(attempt: number, opts: BackoffOptions = defaultBackoff, random: () => number = Math.random): number {
  const jitter = random() * opts.minMs * 2 ** Math.min(attempt, 30);
  return Math.floor(Math.min(opts.maxMs, opts.minMs + jitter));
}
