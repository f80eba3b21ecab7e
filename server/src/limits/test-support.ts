// For tests: limits no test meets (for the harness's server-wide default), and giving one test
// widget its own rate limits, as the widgets file would, effective at once.
import type { RunningServer } from '../server.ts';
import { RATE_ACTIONS, type RateLimitOverrides } from './policy.ts';

const UNMET = { burst: 1_000_000, perSecond: 1_000_000 };

/**
 * Every bucket far above what any test does: tests of other behaviour (a 120-message resume
 * race, a reconnect loop) are not cut by the limits, and the limits' own tests set a widget's.
 */
export const UNMET_RATE_LIMITS: RateLimitOverrides = Object.fromEntries(RATE_ACTIONS.map((a) => [a, { user: UNMET, ip: UNMET }]));

/**
 * Tests set every bucket they rely on explicitly, so they keep pinning these numbers whatever
 * server-wide limits the test harness starts with.
 */
export async function setWidgetLimits(
  env: { server: Pick<RunningServer, 'store' | 'widgets'> },
  widget: { devId: string },
  limits: RateLimitOverrides | null,
): Promise<void> {
  const row = await env.server.store.updateWidget(widget.devId, { rateLimits: limits }, Date.UTC(2031, 0, 1));
  if (!row) throw new Error(`no widget ${widget.devId}`);
  env.server.widgets.invalidate(widget.devId);
}
