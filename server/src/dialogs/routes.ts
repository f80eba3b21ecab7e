import { Hono } from 'hono';
import type { ApiEnv } from '../http/tenant.ts';
import { idParam, readJson, readQuery } from '../http/validate.ts';
import { listDialogsQuery, openDialogBody } from './schema.ts';
import type { DialogService } from './service.ts';

export function dialogRoutes(dialogs: DialogService) {
  return new Hono<ApiEnv>()
    .get('/dialogs', async (c) => {
      const q = readQuery(c, listDialogsQuery);
      return c.json(await dialogs.list(caller(c), q.cursor, q.limit));
    })
    .post('/dialogs', async (c) => {
      const body = await readJson(c, openDialogBody);
      if (body.type === 'group') return c.json(await dialogs.createGroup(caller(c), body.title, body.user_ids), 201);
      const { dialog, created } = await dialogs.open(caller(c), body.user_id);
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
