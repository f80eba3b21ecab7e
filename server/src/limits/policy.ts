// What is limited and how much: the actions, the default buckets per user and per network address,
// and a widget's overrides (`rate_limits` in the widgets file), validated where they come in.
import { z } from 'zod';
import type { BucketSpec } from './types.ts';

export const RATE_ACTIONS = ['send', 'open_dialog', 'typing', 'read', 'connect', 'upload'] as const;
export type RateAction = (typeof RATE_ACTIONS)[number];

/** `user`: one user of one widget; `ip`: one client address (an IPv6 /64) in one widget. */
export type RateScope = 'user' | 'ip';

export type RateLimits = Record<RateAction, Record<RateScope, BucketSpec>>;
export type RateLimitOverrides = { [A in RateAction]?: { [S in RateScope]?: BucketSpec } };

/**
 * Sized so that a person never meets them and a script meets them at once. The per-address
 * buckets are ten times the per-user ones: an office, a school or a mobile carrier puts many
 * people behind one address (CGNAT), and a person must not pay for their neighbours.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  // A person sends a few messages in a row (quick replies, a pasted list) and is slower than one a
  // second over any length of time; the finding this answers was 1,000 messages in 2 s.
  send: { user: { burst: 30, perSecond: 3 }, ip: { burst: 300, perSecond: 30 } },
  // Opening a dialog is a click on a person; groups are created one at a time.
  open_dialog: { user: { burst: 20, perSecond: 0.5 }, ip: { burst: 200, perSecond: 5 } },
  // The widget sends typing.start at most every 3 s per dialog (TYPING_THROTTLE_MS), plus a stop.
  typing: { user: { burst: 30, perSecond: 2 }, ip: { burst: 300, perSecond: 20 } },
  // The widget marks read once per message that arrives from others in the open dialog, so a busy
  // group drives it; ten a second is more than a group of hundreds produces for long.
  read: { user: { burst: 100, perSecond: 10 }, ip: { burst: 1000, perSecond: 100 } },
  // Each tab keeps one socket; after a server restart every tab of every user reconnects at once.
  connect: { user: { burst: 20, perSecond: 0.5 }, ip: { burst: 300, perSecond: 20 } },
  // Reserved for uploads (a later issue): a handful at once, then one every five seconds.
  upload: { user: { burst: 10, perSecond: 0.2 }, ip: { burst: 100, perSecond: 2 } },
};

/** The buckets that apply in a widget: its overrides over the server's defaults, bucket by bucket. */
export function effectiveLimits(defaults: RateLimits, overrides: RateLimitOverrides | null | undefined): RateLimits {
  if (!overrides) return defaults;
  const out = {} as RateLimits;
  for (const a of RATE_ACTIONS) out[a] = { user: overrides[a]?.user ?? defaults[a].user, ip: overrides[a]?.ip ?? defaults[a].ip };
  return out;
}

const MAX_BURST = 1_000_000;

/** Names an unknown key (a typo such as "sned") instead of only saying the shape is wrong. */
function refusal(what: string, shape: string) {
  return (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys' ? `unknown ${what} ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; ${shape}` : shape;
}

const bucketInput = z
  .strictObject(
    {
      burst: z
        .number({ error: 'burst must be a number' })
        .int('burst must be a whole number')
        .min(1, 'burst must be at least 1')
        .max(MAX_BURST, `burst must be at most ${MAX_BURST}`),
      per_second: z
        .number({ error: 'per_second must be a number' })
        .min(0.001, 'per_second must be at least 0.001 (one per 1,000 s)')
        .max(MAX_BURST, `per_second must be at most ${MAX_BURST}`),
    },
    { error: refusal('field', 'a bucket is {"burst": <whole number>, "per_second": <number>}') },
  )
  .transform((b): BucketSpec => ({ burst: b.burst, perSecond: b.per_second }));

const scopesInput = z.strictObject(
  { user: bucketInput.optional(), ip: bucketInput.optional() },
  { error: refusal('scope', 'an action\'s limits are {"user": <bucket>, "ip": <bucket>}, each optional') },
);

/** `rate_limits` as written in the widgets file: `{"send": {"user": {"burst": 30, "per_second": 3}}}`. */
export const rateLimitsInput = z.strictObject(
  Object.fromEntries(RATE_ACTIONS.map((a) => [a, scopesInput.optional()])) as Record<RateAction, z.ZodOptional<typeof scopesInput>>,
  { error: refusal('action', `rate_limits must be an object with any of the keys ${RATE_ACTIONS.join(', ')}`) },
) as z.ZodType<RateLimitOverrides, unknown>;

/** The wire form of overrides, as the widgets file writes them (for showing a widget to operators). */
export function rateLimitsToWire(o: RateLimitOverrides) {
  const out: Record<string, Record<string, { burst: number; per_second: number }>> = {};
  for (const a of RATE_ACTIONS) {
    for (const s of ['user', 'ip'] as const) {
      const b = o[a]?.[s];
      if (b) (out[a] ??= {})[s] = { burst: b.burst, per_second: b.perSecond };
    }
  }
  return out;
}
