import { z } from 'zod';
import { MAX_GROUP_MEMBERS, MAX_GROUP_TITLE_CHARS } from '../realtime/protocol.ts';
import { NO_NUL, noNulMessage } from '../http/text.ts';
import { userIdInput } from '../users/schema.ts';

/** A group's title: 1–200 characters after trimming. */
export const groupTitle = z
  .string({ error: 'title must be a string' })
  .transform((s) => s.trim())
  .refine((s) => s.length > 0, 'title must not be empty')
  .refine((s) => [...s].length <= MAX_GROUP_TITLE_CHARS, `title must be at most ${MAX_GROUP_TITLE_CHARS} characters`)
  .refine(NO_NUL, noNulMessage('title'));

/** At most this many ids per request (creating a group, adding members), whatever a widget's group limit. */
const userIdList = z
  .array(userIdInput, { error: 'user_ids must be an array of user ids' })
  .max(MAX_GROUP_MEMBERS, `user_ids can name at most ${MAX_GROUP_MEMBERS} users`);

/** `{"user_id"}` opens a direct dialog (type "direct" may be given or left out); `{"type":"group",…}` creates a group. */
export const openDialogBody = z.preprocess(
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('type' in v) ? { ...v, type: 'direct' } : v),
  z.discriminatedUnion('type', [
  z.object({ type: z.literal('direct'), user_id: userIdInput }),
  z.object({
    type: z.literal('group'),
    title: groupTitle,
    user_ids: userIdList.min(1, 'user_ids must name at least one other user'),
  }),
  ], { error: 'type must be "direct" or "group"' }),
);

export const addMembersBody = z.object({ user_ids: userIdList.min(1, 'user_ids must name at least one user') });

/** Longest group avatar URL, in characters. */
export const MAX_AVATAR_URL_CHARS = 2000;

export const avatarUrl = z
  .string({ error: 'avatar_url must be a URL or null' })
  .max(MAX_AVATAR_URL_CHARS, `avatar_url must be at most ${MAX_AVATAR_URL_CHARS} characters`)
  // Goes into an <img src> on every member's page: nothing but a plain http(s) URL.
  .refine((s) => !/[\s\u0000-\u001f\u007f]/.test(s), 'avatar_url must not contain white space or control characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'avatar_url must be an http(s) URL' }))
  .nullable();

export const patchDialogBody = z
  .object({
    title: groupTitle.optional(),
    avatar_url: avatarUrl.optional(),
    history: z.enum(['from_join', 'all'], { error: 'history must be "from_join" or "all"' }).optional(),
  })
  .refine((b) => b.title !== undefined || b.avatar_url !== undefined || b.history !== undefined, 'give at least one of title, avatar_url, history');

export const roleBody = z.object({ role: z.enum(['owner', 'admin', 'member'], { error: 'role must be "admin", "member" or "owner"' }) });

export const muteBody = z.object({ muted: z.boolean({ error: 'muted must be true or false' }) });

export const listDialogsQuery = z.object({
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(30),
});
