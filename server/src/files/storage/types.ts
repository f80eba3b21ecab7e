// The file-storage interface: where the bytes of chat attachments (uploads and their thumbnails)
// live. On local disk by default (local.ts), in an S3 bucket when configured (s3.ts).
//
// Promise: whole objects only. A put either stores all of `body` under its key, replacing what was
// there, or fails and leaves the key as it was; no reader ever sees a partial object. Concurrent
// puts to one key leave one of them, whole. Every key and prefix passes key.ts's rule before any
// implementation touches anything, so a rejected call has changed nothing.
// Limits: the store keeps bytes and sizes, nothing else. Content types, names and owners live in
// the database, which is the record of what exists: an object without a row is garbage, a row
// without an object is a file that failed to arrive. There is no size cap here (the upload route
// caps bodies before they reach put), no listing, and no transaction across keys: delete and
// deletePrefix may stop midway on an error, having removed some of the keys.
// Keys must not nest (`a/b` and `a/b/c` cannot both exist on local disk); the server's never do.
import type { Readable } from 'node:stream';

/** Inclusive byte offsets, already validated by the caller against the object's size. */
export interface StoredRange {
  start: number;
  end: number;
}

export interface FileStorage {
  /** Human name for logs and metrics: 'local' | 's3'. */
  readonly kind: string;
  /**
   * Stores the bytes under `key`, replacing what was there, and resolves with their count once
   * they are stored. If `body` errors or is destroyed before its end, rejects and leaves the key
   * as it was (nothing, or the previous object, whole). put owns a Readable body: when it rejects,
   * for any reason, the body has been destroyed, so a file stream does not keep its descriptor.
   * `contentType` is kept where the backend keeps one (S3), for people browsing the bucket; the
   * server serves the type it recorded itself.
   */
  put(key: string, body: Readable | Buffer, opts: { contentType: string }): Promise<{ size: number }>;
  /**
   * The object's bytes (all, or the inclusive range) and its total size; null when there is no
   * such key. The caller must read `body` to its end or destroy it: until then it holds a file
   * descriptor or a pooled connection.
   */
  get(key: string, range?: StoredRange): Promise<{ body: Readable; size: number } | null>;
  /** The object's size, or null when there is no such key. */
  stat(key: string): Promise<{ size: number } | null>;
  /**
   * Removes these keys; missing ones are not an error. Any number of keys: implementations batch
   * internally (S3's DeleteObjects takes at most 1,000). Every key is checked before any is removed.
   */
  delete(keys: readonly string[]): Promise<void>;
  /**
   * Removes every object whose key starts with `prefix`, which ends with "/" (used when a whole
   * widget is deleted), and returns how many it removed. Objects put while it runs may survive it:
   * the caller stops writes under the prefix first.
   */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Removes what writes cut off by a process that died mid-write left behind, untouched for at
   * least `olderThanMs` (a live write keeps touching its file), and answers how many. Where a
   * backend leaves nothing behind (an S3 upload that never completes stores nothing) it has none.
   */
  sweepScratch?(olderThanMs: number): Promise<number>;
  /** Releases connections. Idempotent; every call after it rejects. */
  close(): Promise<void>;
}
