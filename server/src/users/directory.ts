// Who users are, as the host site tells it: pulls the users-info URL with Basic auth, coalesces
// lookups made within a few milliseconds into one request, caches answers (serving stale ones
// while refreshing) and falls back to "User {id}" placeholders when the host fails.
import type { Logger } from 'pino';
import { type HostAllowlist, NO_ALLOWLIST } from '../host/address.ts';
import { type HostFailureReason, HostCallError } from '../host/client.ts';
import type { User } from '../realtime/protocol.ts';
import type { WidgetRow } from '../store/types.ts';
import { MAX_IDS_PER_REQUEST, askable, placeholderUser, requestUsers } from './host-answer.ts';

export { basicAuth, placeholderUser } from './host-answer.ts';

/**
 * found: the host described the user; missing: the host answered without them (or the id breaks
 * the user-id rule, so it is never asked about); unavailable: the
 * host could not be asked (down, slow, garbage); refused: the host refused our credentials (HTTP
 * 401/403): a misconfiguration, which must not pass for an outage.
 */
export type LookupStatus = 'found' | 'missing' | 'unavailable' | 'refused';
export interface Lookup {
  user: User;
  status: LookupStatus;
}

export interface DirectoryOptions {
  ttlMs: number;
  timeoutMs: number;
  log: Logger;
  now?: () => number;
  /** How long a user the host left out is remembered as missing. */
  missingTtlMs?: number;
  /** How long after a failed request the placeholders are served before asking again. */
  failureRetryMs?: number;
  /** Lookups made within this window share one request. */
  coalesceMs?: number;
  /** How often the same widget's failure may be logged. */
  logIntervalMs?: number;
  maxEntries?: number;
  /** Non-public ranges the users-info URL may resolve to (default: none). */
  hostAllowlist?: HostAllowlist;
  /** Told the reason of every failed users-info request (for /metrics). */
  onHostFailure?: (reason: HostFailureReason) => void;
}

interface Entry {
  lookup: Lookup;
  freshUntil: number;
}
interface Deferred {
  resolve(l: Lookup): void;
  promise: Promise<Lookup>;
}
interface Batch {
  widget: WidgetRow;
  ids: Map<string, Deferred>;
  timer: NodeJS.Timeout;
}

export class UsersDirectory {
  private readonly cache = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Lookup>>();
  private readonly batches = new Map<number, Batch>();
  private readonly lastLogged = new Map<number, number>();
  private readonly now: () => number;
  private readonly o: Required<Omit<DirectoryOptions, 'now' | 'onHostFailure'>>;
  private readonly onHostFailure: (reason: HostFailureReason) => void;

  constructor(options: DirectoryOptions) {
    this.now = options.now ?? Date.now;
    this.onHostFailure = options.onHostFailure ?? (() => {});
    const { now: _now, onHostFailure: _onHostFailure, ...rest } = options;
    this.o = {
      missingTtlMs: 60_000,
      failureRetryMs: 30_000,
      coalesceMs: 5,
      logIntervalMs: 60_000,
      maxEntries: 100_000,
      hostAllowlist: NO_ALLOWLIST,
      ...rest,
    };
  }

  async get(widget: WidgetRow, userId: string): Promise<Lookup> {
    return (await this.getMany(widget, [userId])).get(userId) ?? { user: placeholderUser(userId), status: 'unavailable' };
  }

  /** Cached answers at once (stale ones refreshed in the background); the rest in one coalesced request. */
  async getMany(widget: WidgetRow, userIds: Iterable<string>): Promise<Map<string, Lookup>> {
    const out = new Map<string, Lookup>();
    const waits: Promise<void>[] = [];
    const now = this.now();
    for (const id of new Set(userIds)) {
      const entry = this.cache.get(this.key(widget, id));
      if (entry) {
        out.set(id, entry.lookup);
        if (entry.freshUntil <= now) void this.load(widget, id);
      } else {
        waits.push(this.load(widget, id).then((l) => void out.set(id, l)));
      }
    }
    if (waits.length) await Promise.all(waits);
    return out;
  }

  /** Asks the host now (coalesced with other lookups) unless the cache holds a fresh "found" answer. */
  async verify(widget: WidgetRow, userId: string): Promise<Lookup> {
    const entry = this.cache.get(this.key(widget, userId));
    if (entry && entry.lookup.status === 'found' && entry.freshUntil > this.now()) return entry.lookup;
    return this.load(widget, userId);
  }

  /**
   * Asks the host about these ids now, bypassing the cache, and says what came back: the
   * operator's check of a widget's users-info settings (`pnpm imbachat widgets check`).
   */
  async probe(widget: WidgetRow, ids: string[]): Promise<{ ok: boolean; refused: boolean; problem: string | null; found: User[]; missing: string[] }> {
    const asked = ids.filter(askable);
    try {
      const found = await this.request(widget, asked);
      return { ok: true, refused: false, problem: null, found: [...found.values()], missing: ids.filter((id) => !found.has(id)) };
    } catch (err) {
      return { ok: false, refused: isRefusal(err), problem: describe(err), found: [], missing: ids };
    }
  }

  /** Forgets a widget's cached users (its users-info settings changed). */
  forgetWidget(widgetId: number): void {
    const prefix = `${widgetId}\u0000`;
    for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.cache.delete(key);
  }

  private key(widget: WidgetRow, id: string): string {
    return `${widget.id}\u0000${id}`;
  }

  private load(widget: WidgetRow, id: string): Promise<Lookup> {
    // Not asked, not cached: such an id names nobody, and sending it would spoil the batch.
    if (!askable(id)) return Promise.resolve({ user: placeholderUser(id), status: 'missing' });
    const key = this.key(widget, id);
    const running = this.inflight.get(key);
    if (running) return running;
    let batch = this.batches.get(widget.id);
    if (!batch) {
      const created: Batch = { widget, ids: new Map(), timer: setTimeout(() => void this.flush(created), this.o.coalesceMs) };
      this.batches.set(widget.id, (batch = created));
    }
    let resolve!: (l: Lookup) => void;
    const promise = new Promise<Lookup>((r) => (resolve = r)).finally(() => this.inflight.delete(key));
    batch.ids.set(id, { resolve, promise });
    this.inflight.set(key, promise);
    if (batch.ids.size >= MAX_IDS_PER_REQUEST) void this.flush(batch);
    return promise;
  }

  private async flush(batch: Batch): Promise<void> {
    if (this.batches.get(batch.widget.id) !== batch) return;
    this.batches.delete(batch.widget.id);
    clearTimeout(batch.timer);
    const ids = [...batch.ids.keys()];
    let found: Map<string, User> | null = null;
    let refused = false;
    try {
      found = await this.request(batch.widget, ids);
    } catch (err) {
      refused = isRefusal(err);
      this.logFailure(batch.widget, describe(err), refused);
    }
    const now = this.now();
    for (const [id, deferred] of batch.ids) {
      const key = this.key(batch.widget, id);
      let entry: Entry;
      if (found) {
        const user = found.get(id);
        entry = user
          ? { lookup: { user, status: 'found' }, freshUntil: now + this.o.ttlMs }
          : { lookup: { user: placeholderUser(id), status: 'missing' }, freshUntil: now + this.o.missingTtlMs };
      } else {
        // Keep serving what the host said before rather than replacing it with a placeholder.
        const previous = this.cache.get(key);
        const user = previous?.lookup.user ?? placeholderUser(id);
        entry = {
          lookup: refused ? { user, status: 'refused' } : (previous?.lookup ?? { user, status: 'unavailable' }),
          freshUntil: now + this.o.failureRetryMs,
        };
      }
      this.remember(key, entry);
      deferred.resolve(entry.lookup);
    }
  }

  private remember(key: string, entry: Entry): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > this.o.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private async request(widget: WidgetRow, ids: string[]): Promise<Map<string, User>> {
    if (ids.length === 0) return new Map();
    try {
      const { users, invalid } = await requestUsers(widget, ids, { timeoutMs: this.o.timeoutMs, allowlist: this.o.hostAllowlist });
      if (invalid > 0) this.logFailure(widget, `${invalid} entries of the answer lack "user_id" or "name" and were skipped`);
      return users;
    } catch (err) {
      this.onHostFailure(err instanceof HostCallError ? err.reason : 'network');
      throw err;
    }
  }

  private logFailure(widget: WidgetRow, reason: string, refused = false): void {
    const now = this.now();
    const last = this.lastLogged.get(widget.id);
    if (last !== undefined && now - last < this.o.logIntervalMs) return;
    this.lastLogged.set(widget.id, now);
    if (refused) {
      this.o.log.error(
        { dev_id: widget.devId, reason },
        "the site's users-info URL refused the widget's api_login/api_password: fix them (pnpm imbachat widgets check DEV_ID); until then no new dialog can be opened",
      );
    } else this.o.log.warn({ dev_id: widget.devId, reason }, 'users-info request failed; showing placeholders');
  }
}

function isRefusal(err: unknown): boolean {
  return err instanceof HostCallError && err.reason === 'refused';
}

function describe(err: unknown): string {
  if (err instanceof HostCallError) return err.message;
  return `the request failed (${(err as Error)?.message ?? 'unknown error'})`;
}
