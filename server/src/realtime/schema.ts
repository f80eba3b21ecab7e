// zod schemas for the frames a client may send.
import { z } from 'zod';

export const authFrame = z.object({ type: z.literal('auth'), token: z.string().min(1).max(8192) });

export const clientFrame = z.discriminatedUnion('type', [authFrame, z.object({ type: z.literal('ping') })]);
