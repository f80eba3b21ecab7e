// Idempotency keys of the host API: the first answer to a key is kept for 24 h, and a retry of the
// same request (method, path and body) gets it again instead of doing the work twice. Concurrent
// retries settle on the store's primary key: one claims the key and does the work, the others
// wait for its answer.
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { HostRequestStore } from '../store/types.ts';

/** How long an answer is kept (and a key cannot be used for another request): a day, as is usual for such keys. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** A claim never answered for this long is taken over: the server serving it died. */
export const STALE_CLAIM_MS = 60_000;
/** How long a concurrent retry waits for the first request's answer before giving up with 409. */
const WAIT_MAX_MS = 10_000;
const WAIT_STEP_MS = 20;

export interface HostAnswer {
  status: 200 | 201;
  body: unknown;
}

export function requestHash(method: string, path: string, body: string): string {
  return createHash('sha256').update(`${method}\n${path}\n${body}`, 'utf8').digest('hex');
}

export class Idempotency {
  constructor(
    private readonly store: HostRequestStore,
    private readonly now: () => number,
  ) {}

  /**
   * Runs `work` once per key: its answer is stored and replayed. Only successes are kept: a refused
   * or failed request gives the key up, so fixing the cause and retrying with the same key works.
   */
  async run(widgetId: number, key: string | undefined, hash: string, work: () => Promise<HostAnswer>): Promise<HostAnswer & { replayed: boolean }> {
    if (key === undefined) return { ...(await work()), replayed: false };
    const waitUntil = Date.now() + WAIT_MAX_MS;
    for (;;) {
      const now = this.now();
      const row = await this.store.claimHostRequest(widgetId, key, hash, now, now - IDEMPOTENCY_TTL_MS, now - STALE_CLAIM_MS);
      if (!row) break;
      if (row.requestHash !== hash) {
        throw new AppError(
          'idempotency_key_reused',
          409,
          'This Idempotency-Key was used for another request (another method, path or body) within 24 h; use a new key for a new request.',
        );
      }
      if (row.status !== null && row.body !== null) return { status: row.status as HostAnswer['status'], body: JSON.parse(row.body), replayed: true };
      if (Date.now() > waitUntil) throw new AppError('idempotency_key_in_use', 409, 'A request with this Idempotency-Key is still being served; retry it in a moment.');
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
    let answer: HostAnswer;
    try {
      answer = await work();
    } catch (err) {
      await this.store.releaseHostRequest(widgetId, key);
      throw err;
    }
    await this.store.completeHostRequest(widgetId, key, answer.status, JSON.stringify(answer.body));
    return { ...answer, replayed: false };
  }
}
