// The host API's request bodies (docs/api.md, "Host API").
import { z } from 'zod';
import { avatarUrl, groupTitle } from '../dialogs/schema.ts';
import { sendMessageBody } from '../messages/schema.ts';
import { MAX_GROUP_MEMBERS } from '../realtime/protocol.ts';
import { userIdInput } from '../users/schema.ts';

const userIdList = z
  .array(userIdInput, { error: 'user_ids must be an array of user ids' })
  .max(MAX_GROUP_MEMBERS, `user_ids can name at most ${MAX_GROUP_MEMBERS} users`);

export const hostCreateGroupBody = z.strictObject({
  title: groupTitle,
  owner_id: userIdInput,
  user_ids: userIdList.min(1, 'user_ids must name at least one other user'),
  avatar_url: avatarUrl.optional(),
  history: z.enum(['from_join', 'all'], { error: 'history must be "from_join" or "all"' }).optional(),
});

export const hostAddMembersBody = z.strictObject({ user_ids: userIdList.min(1, 'user_ids must name at least one user') });

export const hostPatchDialogBody = z
  .strictObject({ title: groupTitle.optional(), avatar_url: avatarUrl.optional() })
  .refine((b) => b.title !== undefined || b.avatar_url !== undefined, 'give at least one of title, avatar_url');

export const hostPostMessageBody = sendMessageBody.extend({ sender_id: userIdInput.optional() });

/** `Idempotency-Key`: 1–200 printable ASCII characters (spaces included, as other APIs allow). */
export const idempotencyKey = z.string().regex(/^[\x20-\x7e]{1,200}$/, 'Idempotency-Key must be 1–200 printable ASCII characters');
