// REST routes of dialogs: listing, opening a direct dialog or creating a group (rate limited), reading one.
import { Hono } from 'hono';
import type { ApiEnv } from '../http/tenant.ts';
import { idParam, readJson, readQuery } from '../http/validate.ts';
import type { RateGuard } from '../limits/guard.ts';
import { limitRequest } from '../limits/http.ts';
import { listDialogsQuery, openDialogBody } from './schema.ts';
import type { DialogService } from './service.ts';

export function dialogRoutes(dialogs: DialogService, limits: RateGuard) {
  return new Hono<ApiEnv>()
    .get('/dialogs', async (c) => {
      const q = readQuery(c, listDialogsQuery);
      return c.json(await dialogs.list(caller(c), q.cursor, q.limit));
    })
    .post('/dialogs', async (c) => {
      const body = await readJson(c, openDialogBody);
      const who = caller(c);
      // Before the service: opening asks the host about the partner, which is what a flood would cost.
      await limitRequest(limits, c, who, 'open_dialog');
      if (body.type === 'group') return c.json(await dialogs.createGroup(who, body.title, body.user_ids), 201);
      const { dialog, created } = await dialogs.open(who, body.user_id);
      return c.json(dialog, created ? 201 : 200);
    })
    .get('/dialogs/:dialog_id', async (c) => c.json(await dialogs.get(caller(c), idParam(c, 'dialog_id'))));
}

/**
 * Who is asking. Fails closed: a route reached without the authenticate middleware (a new route
 * missing from app.ts's list) answers an error instead of serving an anonymous caller.
 */
export function caller(c: { get(k: 'widget'): ApiEnv['Variables']['widget']; get(k: 'userId'): string }) {
  const userId = c.get('userId');
  if (typeof userId !== 'string') throw new Error('a route was reached without authentication; add it to the authenticated paths in app.ts');
  return { widget: c.get('widget'), userId };
}
