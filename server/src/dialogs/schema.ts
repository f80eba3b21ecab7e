import { z } from 'zod';
import { userIdInput } from '../users/schema.ts';

export const openDialogBody = z.object({ user_id: userIdInput });

export const listDialogsQuery = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(30),
});
