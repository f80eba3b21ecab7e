import { z } from 'zod';
import { MAX_ATTACHMENTS, MAX_PAGE_LIMIT, MAX_SEQ, MAX_TEXT_CHARS, UPLOAD_ID_PATTERN } from '../realtime/protocol.ts';
import { NO_NUL, noNulMessage } from '../http/text.ts';

const seq = z.coerce.number().int().min(0).max(MAX_SEQ);

export const sendMessageBody = z
  .object({
    text: z
      .string({ error: 'text must be a string' })
      .transform((s) => s.trim())
      .refine((s) => [...s].length <= MAX_TEXT_CHARS, `text must be at most ${MAX_TEXT_CHARS} characters`)
      .refine(NO_NUL, noNulMessage('text'))
      .optional()
      .transform((s) => s ?? ''),
    client_msg_id: z.string().min(1).max(64).refine(NO_NUL, noNulMessage('client_msg_id')).nullish().transform((v) => v ?? null),
    attachment_ids: z
      .array(z.string().regex(UPLOAD_ID_PATTERN, 'each of attachment_ids must be an upload id, as POST …/uploads answered it'), {
        error: 'attachment_ids must be an array of upload ids',
      })
      .max(MAX_ATTACHMENTS, `a message carries at most ${MAX_ATTACHMENTS} attachments`)
      .refine((ids) => new Set(ids).size === ids.length, 'attachment_ids names an upload twice')
      .default([]),
  })
  .refine((b) => b.text.length > 0 || b.attachment_ids.length > 0, { message: 'text must not be empty (unless the message carries attachments)', path: ['text'] });

export const listMessagesQuery = z
  .object({
    before: seq.optional(),
    after: seq.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(50),
  })
  .refine((q) => q.before === undefined || q.after === undefined, 'before and after cannot be combined');

export const readBody = z.object({
  message_id: z.number().int().positive().refine(Number.isSafeInteger, 'is too large'),
});
