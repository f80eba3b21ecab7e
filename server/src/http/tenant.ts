// Request context for /api/v1/{dev_id}/…: which widget, whether its page origin may call us
// (CORS), and which user the bearer token names.
import type { Context, MiddlewareHandler } from 'hono';
import { type TokenCache, bearerToken } from '../auth/token.ts';
import { devIdSchema } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Store, WidgetRow } from '../store/types.ts';

export type ApiEnv = { Variables: { widget: WidgetRow; userId: string } };

/**
 * An Origin header as browsers send it: scheme://host[:port], ASCII, bounded. Anything else is not
 * a browser's and is never echoed (it once came back re-encoded, twice its size, past what a
 * client accepts as a response head).
 */
const ORIGIN = /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
const MAX_ORIGIN_CHARS = 300;

/** The Origin to echo in Access-Control-Allow-Origin, or undefined when there is none to echo. */
export function echoableOrigin(origin: string | undefined): string | undefined {
  return origin && origin.length <= MAX_ORIGIN_CHARS && ORIGIN.test(origin) ? origin : undefined;
}

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
    const origin = c.req.header('origin');
    if (!originAllowed(widget, origin)) {
      // The refusal itself is readable by the page, so the widget can say what is wrong instead
      // of reporting a network failure. It grants nothing: every other answer stays closed.
      if (echoableOrigin(origin)) {
        c.header('Access-Control-Allow-Origin', origin);
        c.header('Vary', 'Origin');
      }
      // A refused preflight would make the browser report a network error before the page ever
      // sees the refusal; the preflight passes and the request it clears is the one refused.
      if (c.req.method === 'OPTIONS' && echoableOrigin(origin)) return preflight(c);
      throw new AppError('origin_not_allowed', 403, "This page's origin is not in the widget's allowed origins.");
    }
    c.set('widget', widget);
    await next();
  };
}

/**
 * CORS for the API. Headers are set before the handler runs (c.header), so they go into the
 * response as it is made; Hono's cors middleware edits the finished response, which makes the
 * Node adapter build a full Response object for every request.
 */
export const apiCors: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const origin = echoableOrigin(c.req.header('origin'));
  // A request without an Origin is not a cross-origin browser request: it gets no CORS grant,
  // unless the widget allows every origin anyway.
  if (origin) {
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
  } else if (c.get('widget').allowedOrigins.length === 0) {
    c.header('Access-Control-Allow-Origin', '*');
  }
  if (c.req.method === 'OPTIONS') return preflight(c);
  await next();
};

function preflight(c: Context) {
  c.header('Access-Control-Allow-Methods', 'GET,POST,PATCH,PUT,DELETE,OPTIONS');
  c.header('Access-Control-Allow-Headers', 'Authorization,Content-Type');
  c.header('Access-Control-Max-Age', '600');
  return c.body(null, 204);
}

export function authenticate(tokens: TokenCache, now: () => number, leewayS: number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    const { userId } = await tokens.verify(token, c.get('widget').secretKey, now(), leewayS);
    c.set('userId', userId);
    await next();
  };
}
