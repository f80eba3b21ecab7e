// Request context for /api/v1/{dev_id}/…: which widget, whether its page origin may call us
// (CORS), and which user the bearer token names.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { type TokenCache, bearerToken } from '../auth/token.ts';
import { devIdSchema } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Store, WidgetRow } from '../store/types.ts';

export type ApiEnv = { Variables: { widget: WidgetRow; userId: string } };

export const MAX_BODY_BYTES = 64 * 1024;

export function originAllowed(widget: WidgetRow, origin: string | undefined): boolean {
  if (!origin || widget.allowedOrigins.length === 0) return true;
  const o = origin.replace(/\/+$/, '').toLowerCase();
  return widget.allowedOrigins.some((a) => a === '*' || a.replace(/\/+$/, '').toLowerCase() === o);
}

/**
 * Widgets by dev_id, read from the store at most once a second each: a request pays a map lookup,
 * and a change made by the CLI (another process) applies within a second.
 */
export class WidgetCache {
  private readonly entries = new Map<string, { widget: WidgetRow | null; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly freshMs = 1000,
  ) {}

  async find(devId: string | undefined): Promise<WidgetRow> {
    const widget = devId && devIdSchema.safeParse(devId).success ? await this.get(devId) : null;
    if (!widget) throw new AppError('widget_not_found', 404, 'No widget has this dev_id; check the script URL.');
    return widget;
  }

  /** Forgets a widget at once (this process changed it). */
  invalidate(devId: string): void {
    this.entries.delete(devId);
  }

  private async get(devId: string): Promise<WidgetRow | null> {
    const now = this.now();
    const hit = this.entries.get(devId);
    if (hit && hit.until > now) return hit.widget;
    const widget = await this.store.getWidgetByDevId(devId);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(devId, { widget, until: now + this.freshMs });
    return widget;
  }
}

export function tenant(widgets: WidgetCache): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const widget = await widgets.find(c.req.param('dev_id'));
    if (!originAllowed(widget, c.req.header('origin'))) {
      throw new AppError('origin_not_allowed', 403, "This page's origin is not in the widget's allowed origins.");
    }
    c.set('widget', widget);
    await next();
  };
}

export const apiCors = cors({
  origin: (origin) => origin || '*',
  allowMethods: ['GET', 'POST', 'OPTIONS'],
  allowHeaders: ['Authorization', 'Content-Type'],
  maxAge: 600,
});

export function authenticate(tokens: TokenCache, now: () => number, leewayS: number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    const { userId } = await tokens.verify(token, c.get('widget').secretKey, now(), leewayS);
    c.set('userId', userId);
    await next();
  };
}

export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError('payload_too_large', 413, `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  },
});
