// The REST side of the limits: a route names its action, and the request's user and address are charged.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { WidgetRow } from '../store/types.ts';
import type { RateGuard } from './guard.ts';
import type { RateAction } from './policy.ts';

/**
 * Charges the caller and their address for one `action`, or throws the 429 (with Retry-After).
 * Routes call it after validating the request, so only requests that would do work are counted.
 */
export async function limitRequest(guard: RateGuard, c: Context, who: { widget: WidgetRow; userId: string }, action: RateAction): Promise<void> {
  // On Node the socket is at hand; an in-process app.request() has none, and only the user counts.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const ip = guard.clientIp(incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for'));
  await guard.enforce(who.widget, action, { userId: who.userId, ip });
}
