// The user-id rule (realtime/protocol.ts normalizeUserId) as a zod schema: every request body,
// query and config field that carries a user id goes through it.
import { z } from 'zod';
import { USER_ID_RULE, normalizeUserId } from '../realtime/protocol.ts';

/** A host user id (see normalizeUserId): refused, never repaired; always a string afterwards. */
export const userIdInput = z.unknown().transform((value, ctx) => {
  const id = normalizeUserId(value);
  if (id === null) {
    ctx.addIssue({ code: 'custom', message: `must be ${USER_ID_RULE}` });
    return z.NEVER;
  }
  return id;
});
