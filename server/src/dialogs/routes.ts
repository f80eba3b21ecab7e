// REST routes of dialogs: listing, opening a direct dialog or creating a group (rate limited),
// reading one, and running a group (members, leaving, title, picture, history, roles) and mute.
import { Hono } from 'hono';
import { AppError } from '../errors.ts';
import type { ApiEnv } from '../http/tenant.ts';
import { idParam, readJson, readQuery } from '../http/validate.ts';
import type { RateGuard } from '../limits/guard.ts';
import { limitRequest } from '../limits/http.ts';
import { USER_ID_RULE, normalizeUserId } from '../realtime/protocol.ts';
import type { GroupService } from './groups.ts';
import { addMembersBody, listDialogsQuery, muteBody, openDialogBody, patchDialogBody, roleBody } from './schema.ts';
import type { DialogService } from './service.ts';

export function dialogRoutes(dialogs: DialogService, groups: GroupService, limits: RateGuard) {
  return (
    new Hono<ApiEnv>()
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
      .get('/dialogs/:dialog_id', async (c) => c.json(await dialogs.get(caller(c), idParam(c, 'dialog_id'))))
      // Every group change writes a system message into the dialog, so it takes from the send bucket.
      .patch('/dialogs/:dialog_id', async (c) => {
        const dialogId = idParam(c, 'dialog_id');
        const body = await readJson(c, patchDialogBody);
        const who = caller(c);
        await limitRequest(limits, c, who, 'send');
        return c.json(await groups.change(who, dialogId, { kind: 'edit', title: body.title, avatarUrl: body.avatar_url, history: body.history }));
      })
      .post('/dialogs/:dialog_id/members', async (c) => {
        const dialogId = idParam(c, 'dialog_id');
        const body = await readJson(c, addMembersBody);
        const who = caller(c);
        await limitRequest(limits, c, who, 'send');
        return c.json(await groups.change(who, dialogId, { kind: 'add', userIds: body.user_ids }));
      })
      .delete('/dialogs/:dialog_id/members/:user_id', async (c) => {
        const dialogId = idParam(c, 'dialog_id');
        const userId = userIdParam(c.req.param('user_id'));
        const who = caller(c);
        await limitRequest(limits, c, who, 'send');
        return c.json(await groups.change(who, dialogId, { kind: 'remove', userId }));
      })
      .post('/dialogs/:dialog_id/leave', async (c) => {
        const dialogId = idParam(c, 'dialog_id');
        const who = caller(c);
        await limitRequest(limits, c, who, 'send');
        return c.json(await groups.change(who, dialogId, { kind: 'leave' }));
      })
      .put('/dialogs/:dialog_id/members/:user_id/role', async (c) => {
        const dialogId = idParam(c, 'dialog_id');
        const userId = userIdParam(c.req.param('user_id'));
        const body = await readJson(c, roleBody);
        const who = caller(c);
        await limitRequest(limits, c, who, 'send');
        return c.json(await groups.change(who, dialogId, { kind: 'role', userId, role: body.role }));
      })
      // A per-user setting like a read mark, and limited like one.
      .put('/dialogs/:dialog_id/mute', async (c) => {
        const dialogId = idParam(c, 'dialog_id');
        const body = await readJson(c, muteBody);
        const who = caller(c);
        await limitRequest(limits, c, who, 'read');
        return c.json(await groups.setMuted(who, dialogId, body.muted));
      })
  );
}

/** A user id in a path (decoded by the router): the user-id rule, as in bodies. */
function userIdParam(raw: string | undefined): string {
  const id = normalizeUserId(raw ?? '');
  if (id === null) throw new AppError('validation_failed', 400, `user_id must be ${USER_ID_RULE}.`);
  return id;
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
