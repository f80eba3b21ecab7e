// FileStorage in an S3 bucket (AWS, or an S3-compatible service: MinIO, R2, Ceph), one object per
// key under the settings' prefix.
//
// S3 stores an object whole or not at all, so put only has to know the length before it sends: a
// Buffer goes as it is, a file stream is sent from its file, any other stream is first spooled to
// a scratch file (what S3 never sees cannot be half-stored). Limits: stat cannot tell a missing
// bucket from a missing key (HEAD answers 404 without a body, so both are null); get can, and
// rejects. No multipart upload: one PutObject takes up to 5 GB, far beyond any attachment cap.
import { randomBytes } from 'node:crypto';
import { ReadStream, createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { assertStorageKey, assertStoragePrefix } from './key.ts';
import type { S3Settings } from './s3-settings.ts';
import type { FileStorage, StoredRange } from './types.ts';

/** DeleteObjects refuses more keys than this in one request (MalformedXML). */
const DELETE_BATCH = 1_000;
// The SDK never retries a request with a stream body (it cannot rewind one), so uploads from a
// file retry here, reopening the file: three attempts, like the SDK's own default for the rest.
const UPLOAD_ATTEMPTS = 3;
const UPLOAD_RETRY_BASE_MS = 200;

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export interface S3StorageOptions {
  /** Where streams of unknown length are spooled before upload (default os.tmpdir()). */
  scratchDir?: string;
  /**
   * Keys per listing page in deletePrefix, at most (and by default) 1,000, S3's own cap, which
   * is also the most one DeleteObjects takes. Tests lower it to page through few objects.
   */
  listPageSize?: number;
}

export function createS3Storage(settings: S3Settings, options: S3StorageOptions = {}): FileStorage {
  const { bucket, prefix } = settings;
  const scratchDir = options.scratchDir ?? tmpdir();
  const pageSize = Math.max(1, Math.min(DELETE_BATCH, options.listPageSize ?? DELETE_BATCH));
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    // Since 3.729 the SDK adds CRC32 checksums by default, sending stream bodies as aws-chunked
    // with a trailer. Services that do not speak that store the chunk framing as the object's
    // bytes (s3rver does; older MinIO and some others too), so checksums go only where S3
    // requires them (DeleteObjects).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Explicit, not the SDK's (no timeouts): a silent service must not hold uploads forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    // Without a logger the SDK writes to the console (e.g. "error in a non-retryable streaming
    // request"); every failure reaches the caller as a rejection, so those lines only repeat it.
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  let closed = false;

  // Messages carry the operation, key and S3's error name; never the credentials, which the SDK
  // does not put there either: scrubbing them is defence in depth.
  const secrets = [settings.accessKeyId, settings.secretAccessKey].filter((s): s is string => !!s);
  /** `subject` names what the call was about: a key, a batch, a prefix. */
  function failure(op: string, subject: string, err: unknown): Error {
    const e = (err ?? {}) as SdkError;
    const status = e.$metadata?.httpStatusCode;
    let text = `S3 ${op} of ${subject} in bucket ${JSON.stringify(bucket)} failed: ${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`;
    for (const s of secrets) text = text.split(s).join('[redacted]');
    return new Error(text);
  }

  function objectKey(key: string): string {
    if (closed) throw new Error('S3 file storage is closed');
    assertStorageKey(key);
    return prefix + key;
  }

  const retryable = (err: unknown) => {
    const status = (err as SdkError).$metadata?.httpStatusCode;
    return status === undefined || status >= 500 || status === 429;
  };

  async function putFile(key: string, path: string, contentType: string): Promise<{ size: number }> {
    const { size } = await stat(path);
    for (let attempt = 1; ; attempt++) {
      const body = createReadStream(path);
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: size, ContentType: contentType }));
        return { size };
      } catch (err) {
        if (attempt >= UPLOAD_ATTEMPTS || !retryable(err)) throw failure('PutObject', JSON.stringify(key), err);
      } finally {
        body.destroy();
      }
      await sleep(UPLOAD_RETRY_BASE_MS * 2 ** (attempt - 1));
    }
  }

  /** A file stream nobody has read yet, over a whole file: uploaded from its path, not copied. */
  function wholeFileStream(body: Readable): string | null {
    if (!(body instanceof ReadStream) || typeof body.path !== 'string' || body.bytesRead !== 0) return null;
    const { start, end } = body as unknown as { start?: number; end?: number };
    return start === undefined && end === Infinity ? body.path : null;
  }

  async function deleteBatch(keys: readonly string[]): Promise<void> {
    const subject = `${keys.length} keys from ${JSON.stringify(keys[0])}`;
    const r = await client
      .send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }))
      .catch((err: unknown) => {
        throw failure('DeleteObjects', subject, err);
      });
    const first = r.Errors?.[0];
    if (first) {
      throw new Error(
        `S3 DeleteObjects of ${subject} could not remove ${r.Errors?.length} of them (first: ${JSON.stringify(first.Key)}: ${first.Code})`,
      );
    }
  }

  return {
    kind: 's3',

    async put(key: string, body: Readable | Buffer, opts: { contentType: string }): Promise<{ size: number }> {
      let spooled: string | undefined;
      try {
        const k = objectKey(key);
        if (Buffer.isBuffer(body)) {
          await client
            .send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body, ContentLength: body.length, ContentType: opts.contentType }))
            .catch((err: unknown) => {
              throw failure('PutObject', JSON.stringify(k), err);
            });
          return { size: body.length };
        }
        const path = wholeFileStream(body);
        if (path) {
          body.destroy();
          return await putFile(k, path, opts.contentType);
        }
        await mkdir(scratchDir, { recursive: true });
        spooled = join(scratchDir, `imbachat-s3-${randomBytes(16).toString('hex')}`);
        await pipeline(body, createWriteStream(spooled, { flags: 'wx' }));
        return await putFile(k, spooled, opts.contentType);
      } catch (err) {
        if (!Buffer.isBuffer(body)) body.destroy();
        throw err;
      } finally {
        if (spooled) await rm(spooled, { force: true });
      }
    },

    async get(key: string, range?: StoredRange) {
      const k = objectKey(key);
      const r = await client
        .send(new GetObjectCommand({ Bucket: bucket, Key: k, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))
        .catch((err: unknown) => {
          // Only NoSuchKey: NoSuchBucket is a 404 too, and a misconfiguration, not a missing file.
          if ((err as SdkError).name === 'NoSuchKey') return null;
          throw failure('GetObject', JSON.stringify(k), err);
        });
      if (!r) return null;
      const body = r.Body as Readable;
      if (!range) return { body, size: r.ContentLength ?? 0 };
      // A service that ignores Range answers 200 with everything, and one with a bug may answer
      // another range (s3rver reads an end of 0 as "to the end"): either way the caller would
      // send wrong bytes as the ones asked for.
      const [, start, end, total] = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(r.ContentRange ?? '') ?? [];
      if (Number(start) !== range.start || Number(end) !== range.end || total === undefined) {
        body.destroy();
        throw new Error(
          `S3 GetObject of ${JSON.stringify(k)} answered ${r.ContentRange ? `the range ${JSON.stringify(r.ContentRange)}` : 'without a Content-Range'} to Range bytes=${range.start}-${range.end}`,
        );
      }
      return { body, size: Number(total) };
    },

    async stat(key: string) {
      const k = objectKey(key);
      try {
        const r = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: k }));
        return { size: r.ContentLength ?? 0 };
      } catch (err) {
        const e = err as SdkError;
        if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return null;
        throw failure('HeadObject', JSON.stringify(k), err);
      }
    },

    async delete(keys: readonly string[]): Promise<void> {
      const all = [...new Set(keys.map(objectKey))];
      for (let i = 0; i < all.length; i += DELETE_BATCH) {
        const batch = all.slice(i, i + DELETE_BATCH);
        await deleteBatch(batch);
      }
    },

    async deletePrefix(p: string): Promise<number> {
      assertStoragePrefix(p);
      if (closed) throw new Error('S3 file storage is closed');
      const full = prefix + p;
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client
          .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: full, MaxKeys: pageSize, ContinuationToken: token }))
          .catch((err: unknown) => {
            throw failure('ListObjectsV2', `prefix ${JSON.stringify(full)}`, err);
          });
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
        if (keys.length) await deleteBatch(keys);
        removed += keys.length;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      client.destroy();
    },
  };
}
