// Routes of files: uploading and describing (under /api/v1/{dev_id}, with the user's token) and
// serving (/files/v1/{dev_id}/…, by signed link: an <img> cannot send a token).
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { caller } from '../dialogs/routes.ts';
import { AppError } from '../errors.ts';
import type { ApiEnv, WidgetCache } from '../http/tenant.ts';
import type { RateGuard } from '../limits/guard.ts';
import { limitRequest } from '../limits/http.ts';
import { UPLOAD_ID_PATTERN } from '../realtime/protocol.ts';
import type { UploadRow } from '../store/types.ts';
import { contentDisposition } from './content/names.ts';
import { type FileVariant, LINK_TTL_S, checkLink } from './links.ts';
import { policyToWire, uploadPolicy } from './policy.ts';
import { type FileService, storageKey } from './service.ts';

/** An upload (POST …/uploads): the one request whose body may take minutes (ops/http-limits.ts). */
export function isUploadRequest(req: { method?: string | undefined; url?: string | undefined }): boolean {
  return req.method === 'POST' && /^\/api\/v1\/[^/?#]+\/uploads\/?(?:[?#]|$)/.test(req.url ?? '');
}

/** Served inline: raster images the server decoded and re-encoded itself. Everything else downloads. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/**
 * A file opened as a page can do nothing: no script, no plugin, no form, no frame of it elsewhere
 * (sandbox makes it an opaque origin too). An image shown by itself still shows.
 */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'";

function uploadId(c: Context): string {
  const id = c.req.param('upload_id') ?? '';
  if (!UPLOAD_ID_PATTERN.test(id)) throw new AppError('validation_failed', 400, 'upload_id must be an upload id, as POST …/uploads answered it.');
  return id;
}

export function uploadRoutes(files: FileService, limits: RateGuard) {
  return new Hono<ApiEnv>()
    .post('/uploads', async (c) => {
      const who = caller(c);
      await limitRequest(limits, c, who, 'upload');
      return c.json(await files.upload(who, c.req.raw), 201);
    })
    .get('/uploads', (c) => c.json(policyToWire(uploadPolicy(caller(c).widget))))
    .get('/uploads/:upload_id', async (c) => c.json(await files.describe(caller(c), uploadId(c))));
}

export function fileRoutes(o: { files: FileService; widgets: WidgetCache; now: () => number }) {
  const serve = (variant: FileVariant) => async (c: Context) => {
    const widget = await o.widgets.find(c.req.param('dev_id'));
    const id = c.req.param('upload_id') ?? '';
    if (!UPLOAD_ID_PATTERN.test(id)) throw new AppError('not_found', 404, 'No such file.');
    const check = checkLink(widget, id, variant, c.req.query('exp'), c.req.query('sig'), o.now());
    if (check === 'bad') throw new AppError('not_allowed', 403, 'This link is not valid for this file.');
    if (check === 'expired') throw new AppError('link_expired', 410, 'This link has expired; open the message again to get a fresh one.');
    const row = await o.files.find(widget, id);
    if (!row || (variant === 'thumb' && !row.thumb)) throw new AppError('not_found', 404, 'No such file.');
    if (row.removedAt !== null) throw new AppError('file_removed', 410, 'This file was removed.');
    return answer(c, o.files, row, variant, Number(c.req.query('exp')) * 1000 - o.now());
  };
  return new Hono().get('/:dev_id/:upload_id', serve('file')).get('/:dev_id/:upload_id/thumb', serve('thumb'));
}

async function answer(c: Context, files: FileService, row: UploadRow, variant: FileVariant, validMs: number): Promise<Response> {
  const key = storageKey(row.widgetId, row.id, variant);
  const mime = variant === 'thumb' ? 'image/webp' : row.mime;
  // The bytes under an id never change: an ETag of the id is exact, and the cache may keep them
  // as long as the link is good (private: a shared cache must not serve them to anyone else).
  const etag = `"${row.id}${variant === 'thumb' ? '.t' : ''}"`;
  const headers = new Headers({
    'content-type': mime.startsWith('text/') ? `${mime}; charset=utf-8` : mime,
    'content-disposition': contentDisposition(INLINE.has(mime) ? 'inline' : 'attachment', variant === 'thumb' ? `${stem(row.name)}.webp` : row.name),
    'content-security-policy': FILE_CSP,
    'x-content-type-options': 'nosniff',
    // The widget shows these on the host's page, another origin, and its viewer saves an image
    // under its name by fetching it: any page may read what a valid link opens (the link is the
    // permission, and whoever holds it could open it anyway).
    'cross-origin-resource-policy': 'cross-origin',
    'access-control-allow-origin': '*',
    'cache-control': `private, max-age=${Math.max(0, Math.min(LINK_TTL_S, Math.floor(validMs / 1000)))}`,
    'accept-ranges': 'bytes',
    etag,
    'last-modified': new Date(row.createdAt).toUTCString(),
  });
  if (c.req.header('if-none-match')?.split(/\s*,\s*/).includes(etag)) return new Response(null, { status: 304, headers });
  const size = variant === 'thumb' ? row.thumbSize! : row.size;
  const range = parseRange(c.req.header('range'), size);
  if (range === 'unsatisfiable') {
    headers.set('content-range', `bytes */${size}`);
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify({ error: { code: 'bad_request', message: `The range is outside the file (${size} bytes).` } }), { status: 416, headers });
  }
  const stored = await files.storage.get(key, range ?? undefined);
  // The row says the file is there and the storage does not have it: it failed to arrive or was lost.
  if (!stored) throw new AppError('not_found', 404, 'The file is missing from storage.');
  const length = range ? range.end - range.start + 1 : stored.size;
  headers.set('content-length', String(length));
  if (range) headers.set('content-range', `bytes ${range.start}-${range.end}/${stored.size}`);
  if (c.req.method === 'HEAD') {
    stored.body.destroy();
    return new Response(null, { status: range ? 206 : 200, headers });
  }
  return new Response(Readable.toWeb(stored.body) as ReadableStream, { status: range ? 206 : 200, headers });
}

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/**
 * One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`); null for none or for what is not one
 * range (several ranges are answered whole, which RFC 9110 allows).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
