// Runs the FileStorage contract against local disk, and pins what only local disk promises: the
// layout under `dir`, and readers that keep their bytes across a replace.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fileStorageContract } from './contract.ts';
import { LOCAL_SCRATCH_DIR, createLocalStorage } from './local.ts';
import { openFileStorage } from './open.ts';
import type { FileStorage } from './types.ts';

const newDir = () => mkdtempSync(join(tmpdir(), 'imbachat-files-'));

fileStorageContract('local', async () => {
  const dir = newDir();
  const storage = createLocalStorage({ dir });
  const scratch = join(dir, LOCAL_SCRATCH_DIR);
  return {
    storage,
    scratchFiles: async () => (existsSync(scratch) ? readdirSync(scratch) : []),
    cleanup: async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

let dir: string;
let storage: FileStorage;
beforeEach(() => {
  dir = newDir();
  storage = createLocalStorage({ dir });
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const CT = { contentType: 'text/plain' };

it('key segments are directories under dir, and deletePrefix takes the emptied directory with it', async () => {
  await storage.put('w12/AbCdEf0123456789abcdEF', Buffer.from('full'), CT);
  await storage.put('w12/AbCdEf0123456789abcdEF.thumb', Buffer.from('thumb'), CT);
  expect(readFileSync(join(dir, 'w12', 'AbCdEf0123456789abcdEF'), 'utf8')).toBe('full');
  expect(readFileSync(join(dir, 'w12', 'AbCdEf0123456789abcdEF.thumb'), 'utf8')).toBe('thumb');
  expect(await storage.deletePrefix('w12/')).toBe(2);
  expect(existsSync(join(dir, 'w12'))).toBe(false);
});

it('a reader that opened an object before a replace reads the old bytes, whole', async () => {
  const old = Buffer.alloc(2 * 1024 * 1024, 'a');
  await storage.put('w1/doc', old, CT);
  const reading = await storage.get('w1/doc');
  await storage.put('w1/doc', Buffer.alloc(old.length, 'b'), CT);
  await storage.delete(['w1/doc']);
  const chunks: Buffer[] = [];
  for await (const chunk of reading!.body as Readable) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).equals(old)).toBe(true);
});

it('openFileStorage without S3 settings keeps files in <dataDir>/files', async () => {
  const files = openFileStorage({ dataDir: dir });
  expect(files.kind).toBe('local');
  await files.put('w3/x', Buffer.from('x'), CT);
  expect(readFileSync(join(dir, 'files', 'w3', 'x'), 'utf8')).toBe('x');
  await files.close();
});

it('the scratch files a process killed mid-write left behind are swept once untouched for long enough; live ones stay', async () => {
  expect(await storage.sweepScratch!(60_000)).toBe(0); // nothing was ever written
  await storage.put('w1/kept', Buffer.from('object'), CT);
  const scratch = join(dir, LOCAL_SCRATCH_DIR);
  const abandoned = join(scratch, 'a'.repeat(32));
  const live = join(scratch, 'b'.repeat(32));
  writeFileSync(abandoned, 'half an upload');
  writeFileSync(live, 'an upload under way');
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
  utimesSync(abandoned, twoHoursAgo, twoHoursAgo);

  expect(await storage.sweepScratch!(60 * 60_000)).toBe(1);
  expect(readdirSync(scratch)).toEqual(['b'.repeat(32)]);
  // Objects are never in the scratch space, so none is touched.
  expect(readFileSync(join(dir, 'w1', 'kept'), 'utf8')).toBe('object');
  await storage.put('w1/next', Buffer.from('still works'), CT);
  expect(readFileSync(join(dir, 'w1', 'next'), 'utf8')).toBe('still works');
});
