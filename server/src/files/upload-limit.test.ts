// The size limit, on the real server process: a file of exactly the limit is taken, one byte more is
// refused with 413 while it is still arriving, and the server never holds the file in memory (its
// peak resident set, VmHWM, barely moves while 10 MB + 1 byte stream past it).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_MAX_UPLOAD_BYTES } from './policy.ts';
import { CLI_TEST_TIMEOUT_MS, LOOPBACK_CIDRS, sign } from '../testing/harness.ts';
import { type HostSite, startHostSite } from '../testing/host-site.ts';
import { type ServerProcess, killHard, startServerProcess } from '../testing/server-process.ts';

const DEV_ID = 'limits';
const SECRET = randomBytes(32).toString('hex');
let host: HostSite;
let dataDir: string;
let server: ServerProcess;
let token: string;

beforeAll(async () => {
  host = await startHostSite([{ user_id: 1, name: 'Uploader' }]);
  dataDir = mkdtempSync(join(tmpdir(), 'imbachat-upload-limit-'));
  const config = join(dataDir, 'widgets.json');
  writeFileSync(config, JSON.stringify({ widgets: [{ dev_id: DEV_ID, name: 'Limits', secret_key: SECRET, api_login: host.login, api_password: host.password, users_info_url: host.url }] }));
  server = await startServerProcess({ IMBACHAT_DATA_DIR: dataDir, IMBACHAT_CONFIG: config, IMBACHAT_HOST_ALLOWLIST: LOOPBACK_CIDRS });
  token = await sign(SECRET, { user_id: 1, exp: Math.floor(Date.now() / 1000) + 3600 });
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => {
  if (server) await killHard(server);
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The process's resident set now and at its peak so far, in bytes. */
function rss(): { now: number; peak: number } {
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

/**
 * A multipart body with one file of `size` bytes (a PDF by its first bytes), of unknown length,
 * in 64 KiB chunks; it waits at `pauseAt` bytes of the file until `resume` is called.
 */
function streamedForm(size: number, pauseAt = Infinity) {
  const boundary = `----imbachat${randomBytes(8).toString('hex')}`;
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 9; // "%PDF-1.4\n" is part of the file
  let started = false;
  let resume!: () => void;
  const resumed = new Promise<void>((r) => (resume = r));
  let paused!: () => void;
  const reachedPause = new Promise<void>((r) => (paused = r));
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (!started) {
        started = true;
        return c.enqueue(head);
      }
      if (sent >= pauseAt) {
        paused();
        await resumed;
        pauseAt = Infinity;
      }
      if (sent < size) {
        const n = Math.min(size - sent, chunk.length);
        sent += n;
        return c.enqueue(chunk.subarray(0, n));
      }
      c.enqueue(tail);
      c.close();
    },
  });
  return { body, type: `multipart/form-data; boundary=${boundary}`, resume, reachedPause, sent: () => sent };
}

async function post(form: ReturnType<typeof streamedForm>): Promise<{ status: number; code: string | undefined }> {
  const init: RequestInit & { duplex: 'half' } = { method: 'POST', body: form.body, duplex: 'half', headers: { authorization: `Bearer ${token}`, 'content-type': form.type } };
  const res = await fetch(`${server.url}/api/v1/${DEV_ID}/uploads`, init);
  const answer = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: answer.error?.code };
}

/** The bytes of the upload arriving now, on the server's disk. */
function arriving(): number {
  const dir = join(dataDir, 'uploading');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.part'))
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

it('takes a file of exactly the limit', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
  expect(DEFAULT_MAX_UPLOAD_BYTES).toBe(10 * 1024 * 1024);
  expect(await post(streamedForm(DEFAULT_MAX_UPLOAD_BYTES))).toEqual({ status: 201, code: undefined });
});

it('streams 10 MB + 1 byte to disk as it arrives, never into memory, and refuses it with 413 at the byte over', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
  const before = rss();
  const form = streamedForm(DEFAULT_MAX_UPLOAD_BYTES + 1, 8 * 1024 * 1024);
  const answer = post(form);
  await form.reachedPause;
  // The client has sent 8 MB and waits: the server has already written (nearly) all of it to disk.
  await expect.poll(arriving, { timeout: 20_000 }).toBeGreaterThan(7 * 1024 * 1024);
  const during = rss();
  form.resume();
  expect(await answer).toEqual({ status: 413, code: 'file_too_large' });
  // Nothing of it is left behind.
  await expect.poll(arriving).toBe(0);
  // For the record (not a bound: the garbage of 10 MB of socket chunks waits for the next GC).
  console.log(`resident set: ${(before.now / 2 ** 20).toFixed(0)} MB before, ${(during.now / 2 ** 20).toFixed(0)} MB with 8 MB of the upload received; peak ${(rss().peak / 2 ** 20).toFixed(0)} MB`);
});

it('answers 413 as soon as the limit is passed, while the client is still sending', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
  const total = DEFAULT_MAX_UPLOAD_BYTES + 30 * 1024 * 1024;
  const form = streamedForm(total);
  const answer = await post(form).catch((err: Error) => ({ status: -1, code: err.message }));
  expect(answer).toEqual({ status: 413, code: 'file_too_large' });
  expect(form.sent()).toBeLessThan(total - 10 * 1024 * 1024);
});

it('refuses a body declared too large before reading any of it', async () => {
  // 50 MB announced, 100 bytes sent: the answer comes without the rest ever being sent.
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${server.url}/api/v1/${DEV_ID}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * 1024 * 1024) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write('x'.repeat(100));
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body).error.code).toBe('file_too_large');
});
