// GET /me: the signed-in user as the host site describes them.
import { Hono } from 'hono';
import type { ApiEnv } from '../http/tenant.ts';
import { caller } from '../dialogs/routes.ts';
import { AppError } from '../errors.ts';
import type { UsersDirectory } from './directory.ts';

export function userRoutes(directory: UsersDirectory) {
  return new Hono<ApiEnv>().get('/me', async (c) => {
    const { widget, userId } = caller(c);
    const { user, status } = await directory.get(widget, userId);
    // The token is the host's word that the user exists; a users-info answer that leaves them out
    // contradicts it. Placeholders stand in only while the host is down or refusing our credentials.
    if (status === 'missing') throw unknownSignedInUser(userId);
    return c.json(user);
  });
}

export function unknownSignedInUser(userId: string): AppError {
  return new AppError('user_not_found', 404, `The site's users-info answer does not include the signed-in user "${userId}".`);
}
