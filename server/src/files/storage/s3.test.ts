// Runs the FileStorage contract against a real s3rver, with and without a key prefix, and pins
// what only the S3 store does: prefixes that keep tenants apart, batched deletes, and errors that
// tell a misconfiguration from a missing file without repeating the credentials.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStorageContract } from './contract.ts';
import { openFileStorage } from './open.ts';
import type { S3Settings } from './s3-settings.ts';
import { S3RVER_CREDENTIALS, TEST_BUCKET, type TestS3, startTestS3 } from './s3-test-support.ts';
import { createS3Storage } from './s3.ts';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
});

const settings = (over: Partial<S3Settings> = {}): S3Settings => ({
  bucket: TEST_BUCKET,
  region: 'us-east-1',
  endpoint: s3.endpoint,
  forcePathStyle: true,
  ...S3RVER_CREDENTIALS,
  prefix: '',
  ...over,
});
const CT = { contentType: 'text/plain' };
// S3 lists 1,000 keys a page; s3rver takes ~5–15 ms a put, so the contract pages through 100s.
const LIST_PAGE_SIZE = 100;

for (const prefix of ['', 'tenant-a/']) {
  fileStorageContract(`s3, prefix ${JSON.stringify(prefix)}`, async () => {
    const scratchDir = mkdtempSync(join(tmpdir(), 'imbachat-s3-scratch-'));
    const storage = createS3Storage(settings({ prefix }), { scratchDir, listPageSize: LIST_PAGE_SIZE });
    return {
      storage,
      listPageSize: LIST_PAGE_SIZE,
      scratchFiles: async () => (existsSync(scratchDir) ? readdirSync(scratchDir) : []),
      cleanup: async () => {
        await storage.close();
        rmSync(scratchDir, { recursive: true, force: true });
      },
    };
  });
}

describe('S3 store', () => {
  it('a prefix keeps its objects apart: stored under prefix+key, and deletePrefix stays inside', async () => {
    const plain = createS3Storage(settings());
    const tenant = createS3Storage(settings({ prefix: 'tenant-b/' }));
    await plain.put('w7/x', Buffer.from('plain'), CT);
    await tenant.put('w7/x', Buffer.from('tenant'), CT);
    expect(await plain.stat('tenant-b/w7/x')).toEqual({ size: 6 });
    expect(await tenant.deletePrefix('w7/')).toBe(1);
    expect(await plain.stat('w7/x')).toEqual({ size: 5 });
    expect(await plain.deletePrefix('w7/')).toBe(1);
    await Promise.all([plain.close(), tenant.close()]);
  });

  it('a delete of 1,100 keys goes out as batches of at most 1,000', async () => {
    const storage = createS3Storage(settings());
    const keys = Array.from({ length: 1100 }, (_, i) => `w8/k${i}`);
    s3.deleteBatches.length = 0;
    await storage.delete(keys);
    expect(s3.deleteBatches).toEqual([1000, 100]);
    await storage.close();
  });

  it('a put that S3 asks to slow down is sent again, from a Buffer and from a stream alike', async () => {
    const storage = createS3Storage(settings());
    const bodies = [() => Buffer.from('buffer'), () => Readable.from([Buffer.from('str'), Buffer.from('eam')])];
    for (const [i, body] of bodies.entries()) {
      s3.slowDownPuts(1);
      expect(await storage.put(`w6/retried${i}`, body(), CT)).toEqual({ size: 6 });
      const got = await storage.get(`w6/retried${i}`);
      expect(got?.size).toBe(6);
      got?.body.destroy();
    }
    s3.slowDownPuts(3); // one more than the attempts
    await expect(storage.put('w6/refused', Readable.from([Buffer.from('x')]), CT)).rejects.toThrow(/S3 PutObject of "w6\/refused" .* SlowDown \(HTTP 503\)/);
    expect(await storage.stat('w6/refused')).toBeNull();
    await storage.deletePrefix('w6/');
    await storage.close();
  });

  it('a missing bucket is an error for get, not a missing file', async () => {
    const storage = createS3Storage(settings({ bucket: 'no-such-bucket' }));
    await expect(storage.get('w1/x')).rejects.toThrow(/NoSuchBucket/);
    await storage.close();
  });

  it('refused credentials reject every call, and no message repeats them', async () => {
    // s3rver checks only the access key id (a wrong secret passes), so the id is the wrong part.
    const credentials = { accessKeyId: 'AKIAWRONGKEY0123456', secretAccessKey: 'wrong-secret-0123456789abcdefghijklmnop' };
    const storage = createS3Storage(settings(credentials));
    const calls = [
      () => storage.put('w1/x', Buffer.from('x'), CT),
      () => storage.put('w1/x', Readable.from([Buffer.from('x')]), CT),
      () => storage.get('w1/x'),
      () => storage.get('w1/x', { start: 0, end: 0 }),
      () => storage.stat('w1/x'),
      () => storage.delete(['w1/x']),
      () => storage.deletePrefix('w1/'),
    ];
    for (const call of calls) {
      const err = await call().then(() => null, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/^S3 \w+ of .* failed: \w+ \(HTTP 403\)/);
      expect(err!.message).not.toContain(credentials.accessKeyId);
      expect(err!.message).not.toContain(credentials.secretAccessKey);
    }
    await storage.close();
  });

  it('openFileStorage with S3 settings opens the S3 store', async () => {
    const storage = openFileStorage({ dataDir: '/nonexistent', s3: settings() });
    expect(storage.kind).toBe('s3');
    await storage.put('w9/x', Buffer.from('x'), CT);
    expect(await storage.deletePrefix('w9/')).toBe(1);
    await storage.close();
  });
});
