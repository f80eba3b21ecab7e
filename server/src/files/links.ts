// Signed, expiring links to a widget's files: /files/v1/{dev_id}/{upload_id}[/thumb]?exp=…&sig=…
// Whoever may see a message gets its links with every answer that carries it; the link is the
// permission, so it must expire and be bound to the widget, the upload and the variant.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Attachment } from '../realtime/protocol.ts';
import type { StoredAttachment, WidgetRow } from '../store/types.ts';

/**
 * How long a link lives, at least. Long enough that a tab left open over a working day still
 * opens yesterday's photo; short enough that a link copied out of the chat stops working.
 */
export const LINK_TTL_S = 24 * 60 * 60;
/**
 * Expiry is rounded up to a whole hour, so the same file has the same link for an hour and the
 * browser's cache serves it again instead of fetching it under a new URL on every answer.
 */
export const LINK_STEP_S = 60 * 60;

export type FileVariant = 'file' | 'thumb';

type Signer = Pick<WidgetRow, 'devId' | 'secretKey'>;

/** The widget's link key: derived from its secret key, so every node has it and a new secret voids old links. */
function linkKey(w: Signer): Buffer {
  return createHmac('sha256', w.secretKey).update('imbachat file links v1').digest();
}

function signature(key: Buffer, devId: string, id: string, variant: FileVariant, exp: number): Buffer {
  return createHmac('sha256', key).update(`${devId}\n${id}\n${variant}\n${exp}`).digest();
}

export function filePath(devId: string, id: string, variant: FileVariant): string {
  return `/files/v1/${encodeURIComponent(devId)}/${id}${variant === 'thumb' ? '/thumb' : ''}`;
}

/** Turns stored attachments into wire ones with links valid from `nowMs` on. */
export interface FileLinks {
  attachment(a: StoredAttachment): Attachment;
}

export function fileLinks(widget: Signer, nowMs: number): FileLinks {
  // Made for every message sent out, and most carry no file: the key is derived on first use only.
  let key: Buffer | undefined;
  const exp = Math.ceil((Math.floor(nowMs / 1000) + LINK_TTL_S) / LINK_STEP_S) * LINK_STEP_S;
  const link = (id: string, variant: FileVariant) =>
    `${filePath(widget.devId, id, variant)}?exp=${exp}&sig=${signature((key ??= linkKey(widget)), widget.devId, id, variant, exp).toString('base64url')}`;
  return {
    attachment(a) {
      const out: Attachment = { id: a.id, kind: a.kind, name: a.name, size: a.size, mime: a.mime, url: link(a.id, 'file') };
      if (a.width !== null && a.height !== null) Object.assign(out, { width: a.width, height: a.height });
      if (a.thumb) out.thumb_url = link(a.id, 'thumb');
      return out;
    },
  };
}

export type LinkCheck = 'ok' | 'expired' | 'bad';

/** Whether a link's `exp` and `sig` were made by this widget for this upload and variant, and are still good. */
export function checkLink(widget: Signer, id: string, variant: FileVariant, exp: string | undefined, sig: string | undefined, nowMs: number): LinkCheck {
  if (!exp || !/^[0-9]{1,12}$/.test(exp) || !sig || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'bad';
  const expected = signature(linkKey(widget), widget.devId, id, variant, Number(exp));
  if (!timingSafeEqual(expected, Buffer.from(sig, 'base64url'))) return 'bad';
  // Checked after the signature: only a genuine link learns that it expired.
  return Number(exp) * 1000 <= nowMs ? 'expired' : 'ok';
}
