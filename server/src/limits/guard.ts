// Applies the limits: which buckets an action of a user, from an address, in a widget takes, and the
// refusal in plain words, for REST (AppError 429 + Retry-After) and the WebSocket (error frame).
import { AppError } from '../errors.ts';
import { countRateLimited } from '../ops/metrics.ts';
import type { ServerFrame } from '../realtime/protocol.ts';
import type { WidgetRow } from '../store/types.ts';
import { type Cidr, clientAddress } from './client-ip.ts';
import { DEFAULT_RATE_LIMITS, type RateAction, type RateLimits, type RateScope, effectiveLimits } from './policy.ts';
import type { BucketRequest, RateLimiter } from './types.ts';

/** Who acts: the user (once authenticated) and the address key (clientAddress); either may be unknown. */
export interface Actor {
  userId?: string | null;
  ip?: string | null;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number; scope: RateScope; message: string };

const WHAT: Record<RateAction, string> = {
  send: 'Too many messages',
  open_dialog: 'Too many dialogs opened',
  typing: 'Too many typing notices',
  read: 'Too many read marks',
  connect: 'Too many connections',
  upload: 'Too many uploads',
};

export interface RateGuardOptions {
  limiter: RateLimiter;
  /** The server's buckets; a widget's `rate_limits` override them one by one. */
  defaults?: RateLimits;
  /** Peers whose X-Forwarded-For is believed (IMBACHAT_TRUSTED_PROXIES); none by default. */
  trustedProxies?: Cidr[];
}

/** The WebSocket's answer to a refusal: an error frame saying when to try again. */
export function rateLimitedFrame(v: Extract<Verdict, { allowed: false }>): Extract<ServerFrame, { type: 'error' }> {
  return { type: 'error', code: 'rate_limited', message: v.message, retry_after_ms: v.retryAfterMs };
}

export class RateGuard {
  private readonly limiter: RateLimiter;
  private readonly defaults: RateLimits;
  private readonly trusted: Cidr[];
  /** The widget cache hands out the same row for a second: its merged limits are worked out once. */
  private readonly merged = new WeakMap<WidgetRow, RateLimits>();

  constructor(o: RateGuardOptions) {
    this.limiter = o.limiter;
    this.defaults = o.defaults ?? DEFAULT_RATE_LIMITS;
    this.trusted = o.trustedProxies ?? [];
  }

  /** The key of the client's address (see clientAddress), from the socket's peer and X-Forwarded-For. */
  clientIp(peer: string | undefined, forwardedFor: string | string[] | undefined): string | null {
    return clientAddress(peer, forwardedFor, this.trusted);
  }

  /** Takes one token from the actor's user and address buckets for this action, or none. */
  async take(widget: WidgetRow, action: RateAction, who: Actor): Promise<Verdict> {
    let all = this.merged.get(widget);
    if (!all) this.merged.set(widget, (all = effectiveLimits(this.defaults, widget.rateLimits)));
    const limits = all[action];
    const buckets: BucketRequest[] = [];
    const scopes: RateScope[] = [];
    // Widget ids are digits, so the identity after the last separator cannot fake another key.
    if (who.userId != null) {
      buckets.push({ key: `${action}|u|${widget.id}|${who.userId}`, spec: limits.user });
      scopes.push('user');
    }
    if (who.ip != null) {
      buckets.push({ key: `${action}|ip|${widget.id}|${who.ip}`, spec: limits.ip });
      scopes.push('ip');
    }
    if (!buckets.length) return { allowed: true };
    const d = await this.limiter.take(buckets);
    if (d.allowed) return d;
    const scope = scopes[d.refused]!;
    countRateLimited(`${action}_${scope}`);
    const from = scope === 'user' ? 'from you' : 'from your network address';
    const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
    return { allowed: false, retryAfterMs: d.retryAfterMs, scope, message: `${WHAT[action]} ${from} in a short time: try again in ${seconds} s.` };
  }

  /** As take, but a refusal throws the 429 that REST answers (with Retry-After). */
  async enforce(widget: WidgetRow, action: RateAction, who: Actor): Promise<void> {
    const v = await this.take(widget, action, who);
    if (!v.allowed) throw new AppError('rate_limited', 429, v.message, { retryAfterMs: v.retryAfterMs });
  }

  close(): Promise<void> {
    return this.limiter.close();
  }
}
