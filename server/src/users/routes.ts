import { Hono } from 'hono';
import type { ApiEnv } from '../http/tenant.ts';
import type { UsersDirectory } from './directory.ts';

export function userRoutes(directory: UsersDirectory) {
  return new Hono<ApiEnv>().get('/me', async (c) => {
    const { user } = await directory.get(c.get('widget'), c.get('userId'));
    return c.json(user);
  });
}
