// The upload path end to end with the files in S3 (a real s3rver): what the default local disk
// does, the S3 store does behind the same server — upload, send, serve whole and by range,
// thumbnails, the sweep and removal — with the bytes really in the bucket.
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Attachment } from '../realtime/protocol.ts';
import { ManualClock } from '../testing/clock.ts';
import { type Env, type TestWidget, createEnv } from '../testing/harness.ts';
import { storageKey } from './service.ts';
import { S3RVER_CREDENTIALS, TEST_BUCKET, type TestS3, startTestS3 } from './storage/s3-test-support.ts';

let s3: TestS3;
let env: Env;
let w: TestWidget;
const clock = new ManualClock();
beforeAll(async () => {
  s3 = await startTestS3();
  env = await createEnv({
    clock,
    s3: { bucket: TEST_BUCKET, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, ...S3RVER_CREDENTIALS, prefix: 'chat/' },
  });
  w = env.widgets[0]!;
}, 60_000);
afterAll(async () => {
  await env?.close();
  await s3?.close();
});

async function upload(bytes: Uint8Array, name: string, type: string): Promise<Attachment> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  const res = await env.api(w, await w.token(1)).raw('/uploads', { method: 'POST', body: form });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Attachment;
}

it('uploads, sends and serves files kept in S3, and sweeps and removes them there', async () => {
  expect(env.server.files.storage.kind).toBe('s3');
  const png = await sharp({ create: { width: 600, height: 300, channels: 3, background: 'orange' } }).png().toBuffer();
  const image = await upload(png, 'wide.png', 'image/png');
  expect(image).toMatchObject({ kind: 'image', width: 600, height: 300 });
  const text = new TextEncoder().encode('Привет, مرحبا, hello\n');
  const note = await upload(text, 'note.txt', 'text/plain');
  const d = (await env.api(w, await w.token(1)).post('/dialogs', { user_id: 2 })).body.id as number;
  const sent = await env.api(w, await w.token(1)).post(`/dialogs/${d}/messages`, { text: 'look', attachment_ids: [image.id, note.id] });
  expect(sent.status).toBe(201);

  const thumb = await fetch(`${env.server.url}${image.thumb_url}`);
  expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(320);
  const whole = await fetch(`${env.server.url}${note.url}`);
  expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(text))).toBe(true);
  const part = await fetch(`${env.server.url}${note.url}`, { headers: { range: 'bytes=0-11' } });
  expect([part.status, await part.text()]).toEqual([206, 'Привет']);
  expect(await env.server.files.storage.stat(storageKey(w.row.id, image.id, 'thumb'))).not.toBeNull();

  const unsent = await upload(text, 'draft.txt', 'text/plain');
  clock.advance(61 * 60_000);
  expect(await env.server.files.sweep()).toBe(1);
  expect(await env.server.files.storage.stat(storageKey(w.row.id, unsent.id, 'file'))).toBeNull();
  expect(await env.server.files.removeUserFiles(w.row.id, '1')).toBe(2);
  expect(await env.server.files.storage.stat(storageKey(w.row.id, image.id, 'file'))).toBeNull();
  expect((await fetch(`${env.server.url}${(await env.api(w, await w.token(2)).get(`/dialogs/${d}/messages`)).body.items.at(-1).attachments[1].url}`)).status).toBe(410);
});
