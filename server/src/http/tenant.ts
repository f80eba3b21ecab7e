// Request context for /api/v1/{dev_id}/…: which widget, whether its page origin may call us
// (CORS), and which user the bearer token names.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { bearerToken, verifyToken } from '../auth/token.ts';
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

export async function findWidget(store: Store, devId: string | undefined): Promise<WidgetRow> {
  const widget = devId && devIdSchema.safeParse(devId).success ? await store.getWidgetByDevId(devId) : null;
  if (!widget) throw new AppError('widget_not_found', 404, 'No widget has this dev_id; check the script URL.');
  return widget;
}

export function tenant(store: Store): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const widget = await findWidget(store, c.req.param('dev_id'));
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

export function authenticate(now: () => number, leewayS: number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    const { userId } = await verifyToken(token, c.get('widget').secretKey, now(), leewayS);
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
