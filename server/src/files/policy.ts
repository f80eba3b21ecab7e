// How much a widget's users may upload and of which types: the server's defaults, a widget's
// own `uploads` (widgets file), validated where they come in.
import { z } from 'zod';
import { DEFAULT_UPLOAD_TYPES, KNOWN_UPLOAD_TYPES, uploadType } from './content/types.ts';
import type { UploadPolicy as WirePolicy } from '../realtime/protocol.ts';
import type { UploadSettings, WidgetRow } from '../store/types.ts';

/** 10 MB: a phone photo or a long PDF; the 4 MB of the chats this follows refused too many scans. */
export const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/**
 * The most a widget may allow. An image is decoded in memory to make its thumbnail, and every
 * upload is written to a temp file first; beyond this a chat wants a file-sharing service.
 */
export const MAX_UPLOAD_BYTES_CEILING = 100 * 1024 * 1024;

export interface UploadPolicy {
  maxBytes: number;
  types: readonly string[];
}

/** The policy as GET …/uploads answers it. */
export function policyToWire(p: UploadPolicy): WirePolicy {
  return { max_bytes: p.maxBytes, types: [...p.types], extensions: p.types.flatMap((t) => uploadType(t)?.exts.map((e) => `.${e}`) ?? []) };
}

export function uploadPolicy(widget: Pick<WidgetRow, 'uploadSettings'>): UploadPolicy {
  const own = widget.uploadSettings;
  return { maxBytes: own?.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES, types: own?.types ?? DEFAULT_UPLOAD_TYPES };
}

/** `uploads` as written in the widgets file: `{"max_bytes": 5242880, "types": ["image/png", "application/pdf"]}`. */
export const uploadSettingsInput = z
  .strictObject({
    max_bytes: z
      .number({ error: 'max_bytes must be a number' })
      .int('max_bytes must be a whole number of bytes')
      .min(1024, 'max_bytes must be at least 1024')
      .max(MAX_UPLOAD_BYTES_CEILING, `max_bytes must be at most ${MAX_UPLOAD_BYTES_CEILING} (100 MB)`)
      .optional(),
    types: z
      .array(z.enum(KNOWN_UPLOAD_TYPES, { error: `each of types must be one of ${KNOWN_UPLOAD_TYPES.join(', ')}` }))
      .max(KNOWN_UPLOAD_TYPES.length)
      .optional(),
  })
  .transform((u): UploadSettings => ({ ...(u.max_bytes !== undefined && { maxBytes: u.max_bytes }), ...(u.types && { types: [...new Set(u.types)] }) }));

/** The wire form, as the widgets file writes it (for showing a widget to operators). */
export function uploadSettingsToWire(u: UploadSettings): { max_bytes?: number; types?: string[] } {
  return { ...(u.maxBytes !== undefined && { max_bytes: u.maxBytes }), ...(u.types && { types: u.types }) };
}
