// The user-id rule shared by every input that names a user.
import { z } from 'zod';

/** A host user id: a non-empty string (≤ 128 characters) or an integer; always a string afterwards. */
export const userIdInput = z
  .union([
    z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters'),
    z.number().int('must be an integer').refine(Number.isSafeInteger, 'is too large'),
  ])
  .transform(String);
