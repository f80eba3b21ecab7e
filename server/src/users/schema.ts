// The user-id rule (realtime/protocol.ts normalizeUserId) as a zod schema for request bodies and config.
import { z } from 'zod';
import { MAX_USER_ID_CHARS, normalizeUserId } from '../realtime/protocol.ts';

/** A host user id: a non-empty string (≤ 128 characters, trimmed) or a safe integer; always a string afterwards. */
export const userIdInput = z.unknown().transform((value, ctx) => {
  const id = normalizeUserId(value);
  if (id === null) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a non-empty string of at most ${MAX_USER_ID_CHARS} characters, or an integer`,
    });
    return z.NEVER;
  }
  return id;
});
