// Reads one uploaded file out of a multipart request, streaming it into a temp file: never more
// than a parser's buffer of it in memory, and refused with 413 the moment it passes the limit.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { AppError } from '../errors.ts';

/** What the form parts around the file may add (boundaries, part headers, a field or two). */
export const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

export interface Received {
  /** The temp file holding the bytes; the caller removes it. */
  path: string;
  size: number;
  /** As the client named it (raw: sanitise before showing). */
  name: string;
  /** As the client labelled it (a claim, not a fact). */
  contentType: string | null;
}

export function fileTooLarge(maxBytes: number): AppError {
  return new AppError('file_too_large', 413, `The file is larger than this chat accepts (${formatBytes(maxBytes)}).`);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/**
 * Browsers escape exactly three characters of a file name in a form (the HTML standard's
 * multipart/form-data encoding): `"` as %22, CR as %0D, LF as %0A. Those are undone; any other
 * % stays, since a name may well contain "100%25".
 */
function formName(raw: string): string {
  return raw.replace(/%22|%0D|%0A/gi, (e) => ({ '%22': '"', '%0D': '\r', '%0A': '\n' })[e.toUpperCase()]!);
}

const notMultipart = () => new AppError('bad_request', 400, 'Send the file as multipart/form-data, in the form field "file".');

/**
 * The file of the form field `file`. Other fields are ignored; a second file is refused. Rejects
 * with an AppError (413 past `maxBytes`, 400 for a malformed form) and leaves no temp file behind.
 */
export async function receiveUpload(req: Request, o: { maxBytes: number; tmpDir: string }): Promise<Received> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type) || !req.body) throw notMultipart();
  const declared = Number(req.headers.get('content-length') ?? NaN);
  // Known too large before a byte is read: refused without reading any.
  if (declared > o.maxBytes + MULTIPART_OVERHEAD_BYTES) throw fileTooLarge(o.maxBytes);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': type },
      // Browsers send the name as raw UTF-8; without this it would be read as Latin-1.
      defParamCharset: 'utf8',
      // One byte over the limit is read, so a file of exactly the limit is not taken for a longer one.
      limits: { files: 1, fileSize: o.maxBytes + 1, parts: 8, fields: 6, fieldSize: 1024, headerPairs: 20 },
    });
  } catch {
    throw notMultipart(); // no boundary, or a content type busboy cannot read
  }
  const source = Readable.fromWeb(req.body as unknown as WebReadableStream<Uint8Array>);
  const path = join(o.tmpDir, `${randomBytes(12).toString('hex')}.part`);

  return new Promise<Received>((resolve, reject) => {
    let settled = false;
    let file: Promise<Omit<Received, 'path'>> | null = null;
    let written = false;
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      // Stop reading: what the client still sends is not ours to hold. The answer goes out now.
      source.unpipe(parser);
      source.destroy();
      parser.removeAllListeners('file');
      if (written) void unlink(path).catch(() => {});
      reject(err);
    };
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || file) {
        // Drained and dropped; a form cut short errors each open part, and this one is not ours to report.
        stream.on('error', () => {});
        stream.resume();
        if (file && field === 'file') fail(new AppError('bad_request', 400, 'Send one file per request.'));
        return;
      }
      written = true;
      const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      let size = 0;
      file = new Promise((done, broke) => {
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > o.maxBytes) {
            out.destroy();
            fail(fileTooLarge(o.maxBytes));
          }
        });
        stream.on('error', broke);
        out.on('error', broke);
        out.on('finish', () => done({ size, name: formName(info.filename ?? ''), contentType: info.mimeType || null }));
        stream.pipe(out);
      });
      file.catch(() => fail(new AppError('bad_request', 400, 'The upload was cut off before the file ended.')));
    });
    parser.on('filesLimit', () => fail(new AppError('bad_request', 400, 'Send one file per request.')));
    parser.on('error', () => fail(new AppError('bad_request', 400, 'The multipart form could not be read.')));
    parser.on('close', () => {
      if (settled) return;
      if (!file) return fail(new AppError('bad_request', 400, 'The form has no file in the field "file".'));
      file.then(
        (f) => {
          if (settled) return;
          settled = true;
          resolve({ path, ...f });
        },
        () => {},
      );
    });
    source.on('error', () => fail(new AppError('bad_request', 400, 'The upload was cut off before the file ended.')));
    source.pipe(parser);
  });
}
