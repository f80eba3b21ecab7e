// For the S3 storage tests: a real s3rver on an ephemeral port with one bucket, behind a small
// proxy that makes it behave as S3 does where it does not:
// - a DeleteObjects request takes at most 1,000 keys (S3 answers MalformedXML to more; s3rver
//   deletes them all), so a store that forgot to batch fails here as it would in production;
// - s3rver reads `Range: bytes=N-0` as "from N to the end"; the proxy cuts the answer to the
//   range asked (only then, so every other answer is s3rver's own).
// It also records each DeleteObjects batch's size, and can answer PUTs with S3's "slow down".
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export const TEST_BUCKET = 'imbachat-test';
// s3rver's one built-in account.
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface TestS3 {
  /** The proxy's URL: what the stores under test talk to. */
  endpoint: string;
  /** How many keys each DeleteObjects request carried, in order. */
  deleteBatches: number[];
  /** The next `count` PUT requests are answered 503 SlowDown, as a busy S3 does. */
  slowDownPuts(count: number): void;
  close(): Promise<void>;
}

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 (Node >= 17)
 * keeps only in its legacy provider: without help every listing longer than a page answers 500.
 * Two-key triple DES with both keys equal is single DES, and the default provider has it.
 * Returns the function that puts the originals back.
 */
function lendDesToS3rver(): () => void {
  const { createCipheriv, createDecipheriv } = crypto;
  const des = (alg: string, key: crypto.CipherKey) =>
    alg === 'des' && Buffer.isBuffer(key) && key.length === 8 ? ['des-ede-cbc', Buffer.concat([key, key])] as const : null;
  crypto.createCipheriv = ((alg: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, opts?: object) => {
    const swap = des(alg, key);
    return swap ? createCipheriv(swap[0], swap[1], iv) : createCipheriv(alg, key, iv, opts as undefined);
  }) as typeof crypto.createCipheriv;
  crypto.createDecipheriv = ((alg: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, opts?: object) => {
    const swap = des(alg, key);
    return swap ? createDecipheriv(swap[0], swap[1], iv) : createDecipheriv(alg, key, iv, opts as undefined);
  }) as typeof crypto.createDecipheriv;
  return () => {
    crypto.createCipheriv = createCipheriv;
    crypto.createDecipheriv = createDecipheriv;
  };
}

/** Where s3rver answered more than the range asked, the bytes and headers S3 would have sent. */
function cutToRange(asked: string | undefined, status: number, headers: IncomingHttpHeaders, body: Buffer) {
  const want = /^bytes=(\d+)-(\d+)$/.exec(asked ?? '');
  const got = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(headers['content-range'] ?? ''));
  if (status !== 206 || !want || !got || want[1] !== got[1] || Number(want[2]) >= Number(got[2])) return null;
  const [start, end] = [Number(want[1]), Number(want[2])];
  return {
    body: body.subarray(0, end - start + 1),
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${got[3]}`, 'content-length': String(end - start + 1) },
  };
}

const SLOW_DOWN_XML = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
const MALFORMED_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>MalformedXML</Code><Message>The XML you provided was not well-formed or did not validate against our published schema</Message></Error>';

export async function startTestS3(): Promise<TestS3> {
  const restoreCrypto = lendDesToS3rver();
  const directory = mkdtempSync(join(tmpdir(), 'imbachat-s3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: TEST_BUCKET }] });
  const { port: upstream } = await s3rver.run();
  const deleteBatches: number[] = [];
  let slowDowns = 0;

  async function forward(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method === 'PUT' && slowDowns > 0) {
      slowDowns--;
      res.writeHead(503, { 'content-type': 'application/xml' }).end(SLOW_DOWN_XML);
      return;
    }
    if (req.method === 'POST' && /[?&]delete(=|&|$)/.test(req.url ?? '')) {
      const keys = body.toString('utf8').match(/<Key>/g)?.length ?? 0;
      deleteBatches.push(keys);
      if (keys > 1_000) {
        res.writeHead(400, { 'content-type': 'application/xml' }).end(MALFORMED_XML);
        return;
      }
    }
    // The body is whole already; s3rver need not be asked to continue. Host stays as signed.
    const { expect: _expect, ...headers } = req.headers;
    const up = request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers }, async (answer) => {
      const status = answer.statusCode ?? 502;
      if (req.method !== 'GET' || !req.headers.range) {
        res.writeHead(status, answer.headers);
        answer.pipe(res);
        return;
      }
      const parts: Buffer[] = [];
      for await (const part of answer) parts.push(part as Buffer);
      const whole = Buffer.concat(parts);
      const cut = cutToRange(req.headers.range, status, answer.headers, whole);
      res.writeHead(status, cut?.headers ?? answer.headers).end(cut?.body ?? whole);
    });
    up.on('error', () => res.destroy());
    up.end(body);
  }

  const proxy = createServer((req, res) => {
    forward(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    deleteBatches,
    slowDownPuts(count) {
      slowDowns = count;
    },
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver.close();
      restoreCrypto();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
