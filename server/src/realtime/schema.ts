// zod schemas for the frames a client may send.
import { z } from 'zod';

const id = z.number().int().positive().refine(Number.isSafeInteger);

export const authFrame = z.object({
  type: z.literal('auth'),
  token: z.string().min(1).max(8192),
  resume_from: z.number().int().min(0).refine(Number.isSafeInteger).optional(),
});

export const clientFrame = z.discriminatedUnion('type', [
  authFrame,
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('typing.start'), dialog_id: id }),
  z.object({ type: z.literal('typing.stop'), dialog_id: id }),
]);
