import { Hono } from 'hono';
import type { ApiEnv } from '../http/tenant.ts';
import { caller } from '../dialogs/routes.ts';
import type { UsersDirectory } from './directory.ts';

export function userRoutes(directory: UsersDirectory) {
  return new Hono<ApiEnv>().get('/me', async (c) => {
    const { widget, userId } = caller(c);
    const { user } = await directory.get(widget, userId);
    return c.json(user);
  });
}
