// The FileStorage contract suite: the promises of storage/types.ts that every implementation
// (local disk, S3) must keep. Each implementation's test file calls fileStorageContract.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FileStorage } from './types.ts';

export interface StorageUnderTest {
  storage: FileStorage;
  /** Runs after every test, also after one that closed the storage itself. */
  cleanup(): Promise<void>;
  /** The files an implementation's scratch area holds now (spooled or unfinished writes), if it has one. */
  scratchFiles?(): Promise<string[]>;
  /** Keys per listing page, where the implementation lists in pages (S3); the paging test puts more. */
  listPageSize?: number;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const CT = { contentType: 'application/octet-stream' };
// A widget segment of this test's own: tests share a bucket, and `${w}1/` vs `${w}10/` stay theirs.
const widget = () => `w${randomBytes(6).toString('hex')}`;
const objectId = () => randomBytes(16).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x');

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream that sends `chunks` chunks of 64 KiB, then fails (or, with `error` false, is destroyed). */
function brokenBody(chunks: number, error = true): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent++ < chunks) this.push(randomBytes(64 * 1024));
      else this.destroy(error ? new Error('the client went away') : undefined);
    },
  });
}

async function putMany(storage: FileStorage, keys: readonly string[]): Promise<void> {
  // In waves: 1,000 puts at once would only queue in the S3 client.
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((k) => storage.put(k, Buffer.from(k), CT)));
  }
}

const BAD_KEYS = ['../x', '/abs', 'a/../b', 'a//b', '', 'k'.repeat(300), 'a/./b', 'a/b/', '.tmp/x', 'a\\b', 'a b', 'ä/b', 'a/b\u0000'];
const BAD_PREFIXES = ['', '/', 'w1', '../', 'a//', 'a/../', '.tmp/', `${'p'.repeat(300)}/`, '/w1/'];

export function fileStorageContract(name: string, make: () => Promise<StorageUnderTest>) {
  describe(`FileStorage contract: ${name}`, () => {
    let storage: FileStorage;
    let under: StorageUnderTest;
    let sources: string;

    beforeAll(() => {
      sources = mkdtempSync(join(tmpdir(), 'imbachat-storage-src-'));
    });
    afterAll(() => rmSync(sources, { recursive: true, force: true }));
    beforeEach(async () => {
      under = await make();
      storage = under.storage;
    });
    afterEach(async () => {
      await under.cleanup();
    });

    it('a Buffer comes back whole and in ranges: the first byte, the middle, the last byte', async () => {
      const key = `${widget()}/${objectId()}`;
      const data = randomBytes(1000);
      expect(await storage.put(key, data, { contentType: 'image/png' })).toEqual({ size: 1000 });
      const whole = await storage.get(key);
      expect(whole?.size).toBe(1000);
      expect(sha(await readAll(whole!.body))).toBe(sha(data));
      for (const [start, end] of [[0, 0], [10, 19], [999, 999], [0, 999]] as const) {
        const part = await storage.get(key, { start, end });
        expect(part?.size).toBe(1000);
        expect(await readAll(part!.body)).toEqual(data.subarray(start, end + 1));
      }
    });

    it('a Readable of chunks, an fs stream and a 3 MB stream are stored byte-exact', async () => {
      const w = widget();
      const chunks = [Buffer.from('hello, '), Buffer.alloc(0), Buffer.from('world'), Buffer.from([0, 255, 10, 13])];
      expect(await storage.put(`${w}/chunks`, Readable.from(chunks), CT)).toEqual({ size: 16 });
      expect(await readAll((await storage.get(`${w}/chunks`))!.body)).toEqual(Buffer.concat(chunks));

      const file = join(sources, `${w}.bin`);
      const fileBytes = randomBytes(200_000);
      writeFileSync(file, fileBytes);
      expect(await storage.put(`${w}/file`, createReadStream(file), CT)).toEqual({ size: 200_000 });
      expect(sha(await readAll((await storage.get(`${w}/file`))!.body))).toBe(sha(fileBytes));

      const big = randomBytes(3 * 1024 * 1024 + 7);
      const pieces = Array.from({ length: Math.ceil(big.length / 65_536) }, (_, i) => big.subarray(i * 65_536, (i + 1) * 65_536));
      expect(await storage.put(`${w}/big`, Readable.from(pieces), CT)).toEqual({ size: big.length });
      expect(await storage.stat(`${w}/big`)).toEqual({ size: big.length });
      expect(sha(await readAll((await storage.get(`${w}/big`))!.body))).toBe(sha(big));
      const across = await storage.get(`${w}/big`, { start: 65_530, end: 2_000_000 });
      expect(sha(await readAll(across!.body))).toBe(sha(big.subarray(65_530, 2_000_001)));
    });

    it('every byte value round-trips, and an empty object is an object of size 0', async () => {
      const w = widget();
      const all = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(100_000)]);
      await storage.put(`${w}/bytes.thumb`, all, CT);
      expect(sha(await readAll((await storage.get(`${w}/bytes.thumb`))!.body))).toBe(sha(all));
      expect(await storage.put(`${w}/empty`, Buffer.alloc(0), CT)).toEqual({ size: 0 });
      expect(await storage.stat(`${w}/empty`)).toEqual({ size: 0 });
      const empty = await storage.get(`${w}/empty`);
      expect(empty?.size).toBe(0);
      expect((await readAll(empty!.body)).length).toBe(0);
    });

    it('a put replaces what was under the key, shorter bytes included', async () => {
      const key = `${widget()}/${objectId()}`;
      await storage.put(key, randomBytes(5000), CT);
      const next = Buffer.from('short');
      expect(await storage.put(key, Readable.from([next]), CT)).toEqual({ size: 5 });
      expect(await storage.stat(key)).toEqual({ size: 5 });
      expect(await readAll((await storage.get(key))!.body)).toEqual(next);
    });

    it('concurrent puts to one key leave one of them, whole', async () => {
      const key = `${widget()}/${objectId()}`;
      const a = randomBytes(1024 * 1024);
      const b = randomBytes(512 * 1024);
      await Promise.all([storage.put(key, Readable.from([a.subarray(0, 1000), a.subarray(1000)]), CT), storage.put(key, b, CT)]);
      const got = sha(await readAll((await storage.get(key))!.body));
      expect([sha(a), sha(b)]).toContain(got);
    });

    it('get and stat of a missing key are null, also where a parent segment is missing or is an object', async () => {
      const w = widget();
      await storage.put(`${w}/present`, Buffer.from('x'), CT);
      for (const key of [`${w}/absent`, `${widget()}/absent`, `${w}/present/below`, w]) {
        expect(await storage.get(key)).toBeNull();
        expect(await storage.get(key, { start: 0, end: 0 })).toBeNull();
        expect(await storage.stat(key)).toBeNull();
      }
    });

    it('a body that fails midway rejects the put and leaves the key as it was, with no scratch left', async () => {
      const w = widget();
      await storage.put(`${w}/kept`, Buffer.from('the old bytes'), CT);
      for (const key of [`${w}/fresh`, `${w}/kept`]) {
        const failing = brokenBody(20);
        await expect(storage.put(key, failing, CT)).rejects.toThrow('the client went away');
        expect(failing.destroyed).toBe(true);
        const destroyed = brokenBody(3, false);
        await expect(storage.put(key, destroyed, CT)).rejects.toThrow();
      }
      expect(await storage.stat(`${w}/fresh`)).toBeNull();
      expect((await readAll((await storage.get(`${w}/kept`))!.body)).toString()).toBe('the old bytes');
      expect((await under.scratchFiles?.()) ?? []).toEqual([]);
    });

    it('delete removes the keys given, ignores missing ones, and leaves the rest', async () => {
      const w = widget();
      await putMany(storage, [`${w}/a`, `${w}/b`, `${w}/c`, `${w}/a.thumb`]);
      await storage.delete([`${w}/a`, `${w}/a.thumb`, `${w}/never`, `${widget()}/never`, `${w}/a`]);
      await storage.delete([]);
      expect(await storage.stat(`${w}/a`)).toBeNull();
      expect(await storage.stat(`${w}/a.thumb`)).toBeNull();
      expect(await storage.stat(`${w}/b`)).toEqual({ size: `${w}/b`.length });
      expect(await storage.stat(`${w}/c`)).not.toBeNull();
    });

    it('delete takes more keys in one call than one S3 request may carry', async () => {
      const w = widget();
      const keys = Array.from({ length: 1100 }, (_, i) => `${w}/k${i}`);
      // Missing keys are fine, so only the edges of each batch of 1,000 need to exist.
      const present = [`${w}/k0`, `${w}/k999`, `${w}/k1000`, `${w}/k1099`];
      await putMany(storage, [...present, `${w}/stays`]);
      await storage.delete(keys);
      for (const key of present) expect(await storage.stat(key)).toBeNull();
      expect(await storage.stat(`${w}/stays`)).not.toBeNull();
    });

    it('deletePrefix removes exactly the prefix: w1/ leaves w10/ and w1x/ alone', async () => {
      const w = widget();
      const inside = [`${w}1/a`, `${w}1/a.thumb`, `${w}1/b`];
      const outside = [`${w}10/a`, `${w}10/a.thumb`, `${w}1x/a`];
      await putMany(storage, [...inside, ...outside]);
      expect(await storage.deletePrefix(`${w}1/`)).toBe(3);
      for (const key of inside) expect(await storage.stat(key)).toBeNull();
      for (const key of outside) expect(await storage.stat(key)).toEqual({ size: key.length });
      expect(await storage.deletePrefix(`${w}1/`)).toBe(0);
      expect(await storage.deletePrefix(`${widget()}/`)).toBe(0);
      expect(await storage.deletePrefix(`${w}10/a/`)).toBe(0); // `a` is an object, not a folder
      expect(await storage.stat(`${w}10/a`)).not.toBeNull();
    });

    it('deletePrefix removes more objects than one listing page holds', async () => {
      const w = widget();
      const count = 2 * (under.listPageSize ?? 1000) + 5;
      await putMany(storage, Array.from({ length: count }, (_, i) => `${w}/k${i}`));
      await storage.put(`${w}x/stays`, Buffer.from('x'), CT);
      expect(await storage.deletePrefix(`${w}/`)).toBe(count);
      expect(await storage.stat(`${w}/k${count - 1}`)).toBeNull();
      expect(await storage.deletePrefix(`${w}/`)).toBe(0);
      expect(await storage.stat(`${w}x/stays`)).not.toBeNull();
    });

    it('every method refuses an invalid key or prefix, naming the problem, and changes nothing', async () => {
      const good = `${widget()}/good`;
      await storage.put(good, Buffer.from('good'), CT);
      for (const key of BAD_KEYS) {
        const refused = /^storage key .* (is|starts|has|may)/;
        await expect(storage.put(key, Buffer.from('x'), CT)).rejects.toThrow(refused);
        const body = Readable.from([Buffer.from('x')]);
        await expect(storage.put(key, body, CT)).rejects.toThrow(refused);
        expect(body.destroyed).toBe(true);
        await expect(storage.get(key)).rejects.toThrow(refused);
        await expect(storage.get(key, { start: 0, end: 0 })).rejects.toThrow(refused);
        await expect(storage.stat(key)).rejects.toThrow(refused);
        await expect(storage.delete([good, key])).rejects.toThrow(refused);
      }
      for (const prefix of BAD_PREFIXES) await expect(storage.deletePrefix(prefix)).rejects.toThrow(/^storage prefix /);
      expect(await storage.stat(good)).toEqual({ size: 4 });
    });

    it('after close every method rejects, and close may be called again', async () => {
      await storage.close();
      await storage.close();
      const key = `${widget()}/x`;
      await expect(storage.put(key, Buffer.from('x'), CT)).rejects.toThrow(/closed/);
      await expect(storage.get(key)).rejects.toThrow(/closed/);
      await expect(storage.stat(key)).rejects.toThrow(/closed/);
      await expect(storage.delete([key])).rejects.toThrow(/closed/);
      await expect(storage.deletePrefix(`${widget()}/`)).rejects.toThrow(/closed/);
    });
  });
}
