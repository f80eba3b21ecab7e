import { z } from 'zod';
import { MAX_GROUP_MEMBERS, MAX_GROUP_TITLE_CHARS } from '../realtime/protocol.ts';
import { NO_NUL, noNulMessage } from '../http/text.ts';
import { userIdInput } from '../users/schema.ts';

/** `{"user_id"}` opens a direct dialog (type "direct" may be given or left out); `{"type":"group",…}` creates a group. */
export const openDialogBody = z.preprocess(
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('type' in v) ? { ...v, type: 'direct' } : v),
  z.discriminatedUnion('type', [
  z.object({ type: z.literal('direct'), user_id: userIdInput }),
  z.object({
    type: z.literal('group'),
    title: z
      .string({ error: 'title must be a string' })
      .transform((s) => s.trim())
      .refine((s) => s.length > 0, 'title must not be empty')
      .refine((s) => [...s].length <= MAX_GROUP_TITLE_CHARS, `title must be at most ${MAX_GROUP_TITLE_CHARS} characters`)
      .refine(NO_NUL, noNulMessage('title')),
    user_ids: z
      .array(userIdInput, { error: 'user_ids must be an array of user ids' })
      .min(1, 'user_ids must name at least one other user')
      .max(MAX_GROUP_MEMBERS, `user_ids can name at most ${MAX_GROUP_MEMBERS} users`),
  }),
  ], { error: 'type must be "direct" or "group"' }),
);

export const listDialogsQuery = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(30),
});
