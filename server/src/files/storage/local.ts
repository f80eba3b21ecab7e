// FileStorage on local disk: one file per key under `dir`, key segments as directories
// (`w12/AbCd…` is `dir/w12/AbCd…`). Writes land in `dir/.tmp` and are renamed into place.
//
// Limits: one machine. Several processes may share `dir` (rename is atomic), but not several
// hosts unless their shared filesystem renames atomically too. Content types are not kept. A
// process killed mid-write leaves its file in `dir/.tmp`, which nothing reads; sweepScratch removes
// such files once untouched for long enough (the uploads' sweep calls it). A reader that opened an object before it was replaced or
// deleted keeps reading the old bytes, whole (it holds the file open).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey, assertStoragePrefix } from './key.ts';
import type { FileStorage, StoredRange } from './types.ts';

/** Where unfinished writes wait, inside `dir` so that their rename stays on one filesystem. */
export const LOCAL_SCRATCH_DIR = '.tmp';

// Unlinks run this many at a time: enough to hide disk latency, few enough not to exhaust descriptors.
const UNLINK_CONCURRENCY = 64;

const code = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code;
// A missing path, or one that runs through a file where a directory would be: no such object.
const isAbsent = (err: unknown) => code(err) === 'ENOENT' || code(err) === 'ENOTDIR';

export function createLocalStorage(o: { dir: string }): FileStorage {
  const root = resolve(o.dir);
  const inside = root.endsWith(sep) ? root : root + sep;
  const scratch = join(root, LOCAL_SCRATCH_DIR);
  let closed = false;

  /** The path of a key or prefix; the key rule already forbids escaping, this checks it again. */
  function pathOf(relative: string): string {
    if (closed) throw new Error('local file storage is closed');
    const path = resolve(root, relative);
    if (!path.startsWith(inside)) throw new Error('storage key resolves outside the storage directory');
    return path;
  }

  function pathOfKey(key: string): string {
    assertStorageKey(key);
    return pathOf(key);
  }

  /** The object's open file, or null; a directory (a key's parent segment) is not an object. */
  async function openObject(path: string): Promise<{ handle: FileHandle; size: number } | null> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isAbsent(err)) return null;
      throw err;
    }
    try {
      const s = await handle.stat();
      if (s.isFile()) return { handle, size: s.size };
    } catch (err) {
      await handle.close();
      throw err;
    }
    await handle.close();
    return null;
  }

  async function unlinkObject(path: string): Promise<boolean> {
    try {
      await unlink(path);
      return true;
    } catch (err) {
      // EISDIR: a directory, i.e. the parent segment of other keys, which is no object of its own.
      if (isAbsent(err) || code(err) === 'EISDIR') return false;
      throw err;
    }
  }

  async function unlinkAll(paths: readonly string[]): Promise<number> {
    let removed = 0;
    for (let i = 0; i < paths.length; i += UNLINK_CONCURRENCY) {
      const done = await Promise.all(paths.slice(i, i + UNLINK_CONCURRENCY).map(unlinkObject));
      removed += done.filter(Boolean).length;
    }
    return removed;
  }

  return {
    kind: 'local',

    async put(key: string, body: Readable | Buffer): Promise<{ size: number }> {
      let temp: string | undefined;
      try {
        const target = pathOfKey(key);
        await mkdir(scratch, { recursive: true });
        temp = join(scratch, randomBytes(16).toString('hex'));
        // 'wx': a name that somehow exists already is never written into, let alone renamed.
        if (Buffer.isBuffer(body)) await writeFile(temp, body, { flag: 'wx' });
        else await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
        const { size } = await stat(temp);
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
        return { size };
      } catch (err) {
        if (!Buffer.isBuffer(body)) body.destroy();
        if (temp) await rm(temp, { force: true });
        throw err;
      }
    },

    async get(key: string, range?: StoredRange) {
      const found = await openObject(pathOfKey(key));
      if (!found) return null;
      // The stream reads the handle opened above, so a concurrent replace cannot mix two objects;
      // it closes the handle when it ends or is destroyed.
      const body = found.handle.createReadStream(range ? { start: range.start, end: range.end } : {});
      return { body, size: found.size };
    },

    async stat(key: string) {
      try {
        const s = await stat(pathOfKey(key));
        return s.isFile() ? { size: s.size } : null;
      } catch (err) {
        if (isAbsent(err)) return null;
        throw err;
      }
    },

    async delete(keys: readonly string[]): Promise<void> {
      const paths = keys.map(pathOfKey);
      await unlinkAll([...new Set(paths)]);
    },

    async deletePrefix(prefix: string): Promise<number> {
      assertStoragePrefix(prefix);
      const dir = pathOf(prefix);
      let files: string[];
      try {
        const entries = await readdir(dir, { recursive: true, withFileTypes: true });
        files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
      } catch (err) {
        if (isAbsent(err)) return 0;
        throw err;
      }
      const removed = await unlinkAll(files);
      // The emptied directories, and anything put since the listing (uncounted).
      await rm(dir, { recursive: true, force: true });
      return removed;
    },

    async sweepScratch(olderThanMs: number): Promise<number> {
      if (closed) throw new Error('local file storage is closed');
      let entries;
      try {
        entries = await readdir(scratch, { withFileTypes: true });
      } catch (err) {
        if (isAbsent(err)) return 0; // nothing was ever written
        throw err;
      }
      const before = Date.now() - olderThanMs;
      const stale: string[] = [];
      for (const e of entries.filter((e) => e.isFile())) {
        const path = join(scratch, e.name);
        try {
          if ((await stat(path)).mtimeMs <= before) stale.push(path);
        } catch (err) {
          if (!isAbsent(err)) throw err; // renamed into place or removed meanwhile
        }
      }
      return unlinkAll(stale);
    },

    async close(): Promise<void> {
      closed = true;
    },
  };
}
