// Who may call the host API: the widget's backend, with the widget's host API key as a bearer.
// Only the key's SHA-256 is stored; a presented key is hashed and compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { WidgetCache } from '../http/tenant.ts';
import type { WidgetRow } from '../store/types.ts';

export type HostEnv = { Variables: { widget: WidgetRow } };

/** A bearer as the key is: printable ASCII without spaces, bounded (the widgets file allows 32–512). */
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

const unauthorized = (message: string) => new AppError('unauthorized', 401, message);

export function hostAuth(widgets: WidgetCache): MiddlewareHandler<HostEnv> {
  return async (c, next) => {
    const widget = await widgets.find(c.req.param('dev_id'));
    if (!widget.hostApiKeyHash) {
      throw unauthorized(
        'The host API is off for this widget: give it a host_api_key in the widgets file, or run `pnpm imbachat widgets rotate-host-key DEV_ID`.',
      );
    }
    const m = BEARER.exec(c.req.header('authorization') ?? '');
    if (!m) throw unauthorized("Send the widget's host API key as `Authorization: Bearer <host_api_key>`.");
    const given = createHash('sha256').update(m[1]!, 'utf8').digest();
    const stored = Buffer.from(widget.hostApiKeyHash, 'hex');
    // Another widget's key, the token secret or a user token are all just wrong keys here.
    if (stored.length !== given.length || !timingSafeEqual(given, stored)) throw unauthorized("This is not the widget's host API key.");
    c.set('widget', widget);
    await next();
  };
}
