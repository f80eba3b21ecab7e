// What one HTTP client can make the server hold: request heads, bodies and slow-drip requests are
// capped with a clear status, and the server carries on serving everyone else.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OpsEnv, startOpsEnv } from './test-env.ts';

let env: OpsEnv;
let dialogId: number;
beforeAll(async () => {
  // Short timeouts, so a slow-drip request is seen timing out without a long test.
  env = await startOpsEnv({ httpLimits: { headersTimeoutMs: 300, bodyTimeoutMs: 600, requestTimeoutMs: 3000 }, logLevel: 'info' });
  dialogId = ((await (await env.api(1, '/dialogs', { method: 'POST', body: JSON.stringify({ user_id: 2 }) })).json()) as { id: number }).id;
});
afterAll(() => env.close());

/** Writes raw bytes to the server and resolves with everything it answers, once it closes the connection. */
function raw(write: (send: (s: string) => void) => void): Promise<string> {
  const url = new URL(env.server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.once('close', () => resolve(answer));
    socket.once('error', reject);
    socket.once('connect', () => write((s) => socket.write(s)));
  });
}

it('a request head over 16 KiB is refused with 431, and the next request is served', async () => {
  const res = await env.api(1, '/me', { headers: { 'x-padding': 'a'.repeat(17 * 1024) } });
  expect(res.status).toBe(431);
  expect((await env.api(1, '/me')).status).toBe(200);
});

it('a request whose head never ends is answered 408 and its connection closed', async () => {
  const answer = await raw((send) => send(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: `));
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
});

it('a slow-drip body that does not arrive within the request timeout is answered 408, with no error logged', async () => {
  const token = await env.token(1);
  const from = env.rawLogs.length;
  const answer = await raw((send) => {
    send(
      `POST /api/v1/${env.devId}/dialogs/${dialogId}/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":`,
    );
  });
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(env.logs().slice(from).filter((l) => l.level >= 40)).toEqual([]);
  expect((await env.fetch('/healthz')).status).toBe(200);
});

it('a chunked body over 64 KiB is refused with 413 payload_too_large while it streams', async () => {
  // Endless until answered: the answer can only come from a server that counts while it reads.
  let answered = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((r) => setImmediate(r)); // one chunk per turn, so the loop is never starved
      if (answered) controller.close();
      else controller.enqueue(new TextEncoder().encode('x'.repeat(16 * 1024)));
    },
  });
  const upload = new AbortController();
  const res = await env.api(1, `/dialogs/${dialogId}/messages`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    duplex: 'half',
    signal: upload.signal,
  } as RequestInit);
  answered = true;
  expect(res.status).toBe(413);
  expect(((await res.json()) as any).error.code).toBe('payload_too_large');
  upload.abort();
});

/** A multipart upload of a small PDF, as raw bytes: the request head, then the body. */
async function uploadRequest(): Promise<{ head: string; body: string }> {
  const boundary = 'imbachatSlowUpload';
  const pdf = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\nContent-Type: application/pdf\r\n\r\n${pdf}\r\n--${boundary}--\r\n`;
  const head = `POST /api/v1/${env.devId}/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await env.token(1)}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  return { head, body };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('an upload that takes longer than a JSON body may still arrives whole: only the uploads\' allowance bounds it', async () => {
  const { head, body } = await uploadRequest();
  const answer = await raw((send) => {
    void (async () => {
      send(head);
      // In three parts over about 1.5 s: past the 600 ms a JSON body gets, within the uploads' 3 s.
      for (const part of [body.slice(0, 60), body.slice(60, 120), body.slice(120)]) {
        await sleep(500);
        send(part);
      }
    })();
  });
  expect(answer).toMatch(/^HTTP\/1\.1 201 /);
});

it('an upload that has not arrived within the uploads\' allowance is answered 408', async () => {
  const { head, body } = await uploadRequest();
  const answer = await raw((send) => send(head + body.slice(0, 60)));
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
});
