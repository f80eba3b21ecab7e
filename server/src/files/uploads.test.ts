// Attachments through the real server: uploading (type from the bytes, images re-encoded without
// metadata), sending them in a message that history, events and resume carry, and serving them
// only by a valid link of the right widget, with the headers that keep a file from acting as a page.
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attachment, Message } from '../realtime/protocol.ts';
import { ManualClock } from '../testing/clock.ts';
import { type Env, type TestWidget, createEnv } from '../testing/harness.ts';
import { ABANDONED_WRITE_MS, storageKey } from './service.ts';
import { LOCAL_SCRATCH_DIR } from './storage/local.ts';

let env: Env;
let w: TestWidget;
let other: TestWidget;
const clock = new ManualClock();
beforeAll(async () => {
  env = await createEnv({ clock, widgets: 2 });
  [w, other] = env.widgets as [TestWidget, TestWidget];
});
afterAll(() => env.close());

const as = async (userId: number | string, widget = w) => env.api(widget, await widget.token(userId));

async function uploadFile(userId: number | string, bytes: Uint8Array, name: string, type = 'application/octet-stream', widget = w) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  return (await as(userId, widget)).raw('/uploads', { method: 'POST', body: form });
}

const fetchLink = (url: string, init: RequestInit = {}) => fetch(`${env.server.url}${url}`, init);

async function jpegWithExif(): Promise<Buffer> {
  // 40×20 pixels, left half red: stored sideways with "rotate 90° clockwise to show" (orientation 6).
  const left = await sharp({ create: { width: 20, height: 20, channels: 3, background: 'red' } }).png().toBuffer();
  return sharp({ create: { width: 40, height: 20, channels: 3, background: 'blue' } })
    .composite([{ input: left, left: 0, top: 0 }])
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'Acme', Model: 'Spy 3000' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .toBuffer();
}

const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function dialogOf(a: number | string, b: number | string) {
  return (await (await as(a)).post('/dialogs', { user_id: b })).body.id as number;
}

describe('uploading', () => {
  it('an image is re-encoded upright, without its metadata, with a thumbnail, and served inline', async () => {
    const res = await uploadFile(1, await jpegWithExif(), 'holiday.jpg', 'image/jpeg');
    expect(res.status).toBe(201);
    const a = res.body as Attachment;
    expect(a).toMatchObject({ kind: 'image', name: 'holiday.jpg', mime: 'image/jpeg', width: 20, height: 40 });
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const file = await fetchLink(a.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('content-disposition')).toMatch(/^inline; filename="holiday.jpg"/);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(file.headers.get('content-security-policy')).toContain('sandbox');
    expect(file.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(file.headers.get('access-control-allow-origin')).toBe('*');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.length).toBe(a.size);
    const meta = await sharp(bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([20, 40]);
    expect(bytes.includes(Buffer.from('Acme'))).toBe(false);
    // Upright: orientation 6 turns the red left half into the top half.
    const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(200); // top-left red
    expect(data[(39 * 20) * 3 + 2]).toBeGreaterThan(200); // bottom-left blue
    const thumb = await fetchLink(a.thumb_url!);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const tm = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(tm.format).toBe('webp');
    expect(tm.exif).toBeUndefined();
  });

  it('a PDF downloads with its name (non-ASCII kept), by range too, and revalidates by ETag', async () => {
    const a = (await uploadFile(1, pdf, 'Отчёт "Q1".pdf', 'application/pdf')).body as Attachment;
    expect(a).toMatchObject({ kind: 'file', mime: 'application/pdf', name: 'Отчёт _Q1_.pdf', size: pdf.length });
    expect(a.thumb_url).toBeUndefined();
    const whole = await fetchLink(a.url);
    expect(whole.headers.get('content-disposition')).toBe(`attachment; filename="_____ _Q1_.pdf"; filename*=UTF-8''${encodeURIComponent('Отчёт _Q1_.pdf')}`);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
    const part = await fetchLink(a.url, { headers: { range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1-3/${pdf.length}`);
    expect(await part.text()).toBe('PDF');
    const tail = await fetchLink(a.url, { headers: { range: 'bytes=-6' } });
    expect(await tail.text()).toBe('%%EOF\n');
    expect((await fetchLink(a.url, { headers: { range: `bytes=${pdf.length}-` } })).status).toBe(416);
    const again = await fetchLink(a.url, { headers: { 'if-none-match': whole.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const head = await fetchLink(a.url, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(pdf.length)]);
  });

  it('judges the type by the bytes: a page named .png, a PNG labelled text/html, an SVG with a script are refused', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: 'green' } }).png().toBuffer();
    const html = new TextEncoder().encode('<!doctype html><script>alert(document.cookie)</script>');
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const cases: Array<[Uint8Array, string, string, number, string]> = [
      // Markup is refused for what it is, whatever it is named.
      [html, 'cat.png', 'image/png', 415, 'file_type_not_allowed'],
      [new TextEncoder().encode('just words'), 'cat.png', 'image/png', 422, 'file_type_mismatch'],
      [png, 'cat.png', 'text/html', 422, 'file_type_mismatch'],
      [svg, 'logo.svg', 'image/svg+xml', 415, 'file_type_not_allowed'],
      [svg, 'logo.txt', 'text/plain', 415, 'file_type_not_allowed'],
      [new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), 'setup.bin', 'application/octet-stream', 415, 'file_type_not_allowed'],
    ];
    for (const [bytes, name, type, status, code] of cases) {
      const res = await uploadFile(1, bytes, name, type);
      expect({ name, type, status: res.status, code: res.body.error?.code }).toEqual({ name, type, status, code });
      expect(res.body.error.message).toMatch(/\w{4,}/);
    }
  });

  it('a path in the name is never a path: ../../etc/passwd is a file called passwd', async () => {
    const a = (await uploadFile(1, new TextEncoder().encode('root:x:0:0\n'), '../../etc/passwd', 'text/plain')).body as Attachment;
    expect(a).toMatchObject({ name: 'passwd', mime: 'text/plain', kind: 'file' });
    expect(await env.server.files.storage.stat(storageKey(w.row.id, a.id, 'file'))).toEqual({ size: 11 });
    const res = await fetchLink(a.url);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="passwd"/);
  });

  it('refuses what is not an upload: no token, no multipart, no file field, two files', async () => {
    const form = new FormData();
    form.append('file', new Blob([pdf]), 'a.pdf');
    expect((await env.api(w, null).raw('/uploads', { method: 'POST', body: form })).status).toBe(401);
    const json = await (await as(1)).post('/uploads', { file: 'x' });
    expect([json.status, json.body.error.code]).toEqual([400, 'bad_request']);
    const noFile = new FormData();
    noFile.append('note', 'hello');
    expect((await (await as(1)).raw('/uploads', { method: 'POST', body: noFile })).body.error.message).toMatch(/no file in the field "file"/);
    const two = new FormData();
    two.append('file', new Blob([pdf]), 'a.pdf');
    two.append('file', new Blob([pdf]), 'b.pdf');
    expect((await (await as(1)).raw('/uploads', { method: 'POST', body: two })).body.error.message).toMatch(/one file per request/);
  });
});

describe('the policy', () => {
  it('GET /uploads says what the widget takes: its limit, its types and their extensions; a widget’s own settings replace them', async () => {
    const policy = (await (await as(1)).get('/uploads')).body;
    expect(policy.max_bytes).toBe(10 * 1024 * 1024);
    expect(policy.types).toEqual(expect.arrayContaining(['image/png', 'application/pdf', 'application/zip']));
    expect(policy.extensions).toEqual(expect.arrayContaining(['.png', '.jpg', '.jpeg', '.pdf', '.docx']));
    expect(policy.types).not.toContain('text/html');
    expect((await env.api(w, null).get('/uploads')).status).toBe(401);
    await env.server.store.updateWidget(other.devId, { uploadSettings: { maxBytes: 2048, types: ['image/png'] } }, clock.now());
    env.server.widgets.invalidate(other.devId);
    expect((await (await as(1, other)).get('/uploads')).body).toEqual({ max_bytes: 2048, types: ['image/png'], extensions: ['.png'] });
    // And it is what the upload enforces.
    const pdfThere = await uploadFile(1, pdf, 'a.pdf', 'application/pdf', other);
    expect([pdfThere.status, pdfThere.body.error.code]).toEqual([415, 'file_type_not_allowed']);
    expect(pdfThere.body.error.message).toMatch(/Allowed: images \(PNG\)/);
    const big = await uploadFile(1, new Uint8Array(4096), 'big.png', 'image/png', other);
    expect([big.status, big.body.error.code]).toEqual([413, 'file_too_large']);
    await env.server.store.updateWidget(other.devId, { uploadSettings: null }, clock.now());
    env.server.widgets.invalidate(other.devId);
  });
});

describe('in messages', () => {
  it('a message carries its files in the answer, the live event, history and resume, with or without text', async () => {
    const d = await dialogOf(1, 2);
    const bob = await env.ws(w, await w.token(2));
    const img = (await uploadFile(1, await jpegWithExif(), 'a.jpg', 'image/jpeg')).body as Attachment;
    const doc = (await uploadFile(1, pdf, 'b.pdf', 'application/pdf')).body as Attachment;
    const live = bob.next('message.new');
    const sent = await (await as(1)).post(`/dialogs/${d}/messages`, { attachment_ids: [img.id, doc.id], client_msg_id: 'att-1' });
    expect(sent.status).toBe(201);
    const m = sent.body as Message;
    expect(m.text).toBe('');
    expect(m.attachments.map((a) => [a.id, a.kind, a.name])).toEqual([
      [img.id, 'image', 'a.jpg'],
      [doc.id, 'file', 'b.pdf'],
    ]);
    const event = await live;
    expect(event.message.attachments.map((a) => a.id)).toEqual([img.id, doc.id]);
    const history = (await (await as(2)).get(`/dialogs/${d}/messages`)).body.items as Message[];
    const seen = history.find((x) => x.id === m.id)!;
    expect(seen.attachments[0]).toMatchObject({ id: img.id, width: 20, height: 40, mime: 'image/jpeg' });
    // Bob's links work for Bob.
    expect((await fetchLink(seen.attachments[1]!.url)).status).toBe(200);
    bob.close();
    // Resuming from just before it replays it with its files.
    const again = await env.ws(w, null);
    again.send({ type: 'auth', token: await w.token(2), resume_from: event.event_id - 1 });
    expect((await again.next('message.new')).message.attachments.map((a) => a.id)).toEqual([img.id, doc.id]);
    again.close();
    // A replay of the send answers the first message.
    const resent = await (await as(1)).post(`/dialogs/${d}/messages`, { attachment_ids: [img.id, doc.id], client_msg_id: 'att-1' });
    expect([resent.status, resent.body.id]).toEqual([200, m.id]);
  });

  it('only the uploader’s own, unsent uploads can be attached, at most ten, each once', async () => {
    const d = await dialogOf(1, 2);
    const mine = (await uploadFile(1, pdf, 'x.pdf')).body as Attachment;
    const bobs = (await uploadFile(2, pdf, 'y.pdf')).body as Attachment;
    const stranger = (await uploadFile(1, pdf, 'z.pdf', 'application/pdf', other)).body as Attachment;
    const send = async (ids: string[]) => (await as(1)).post(`/dialogs/${d}/messages`, { text: 'see', attachment_ids: ids });
    for (const id of [bobs.id, stranger.id]) expect([(await send([id])).status, (await send([id])).body.error.code]).toEqual([404, 'upload_not_found']);
    expect((await send([mine.id, mine.id])).body.error.message).toMatch(/twice/);
    expect((await send(Array.from({ length: 11 }, (_, i) => `${'a'.repeat(21)}${i % 10}`))).body.error.message).toMatch(/at most 10/);
    expect((await send(['../etc/passwd'])).status).toBe(400);
    expect((await send([mine.id])).status).toBe(201);
    expect([(await send([mine.id])).status, (await send([mine.id])).body.error.code]).toEqual([409, 'upload_already_used']);
    const empty = await (await as(1)).post(`/dialogs/${d}/messages`, { text: '  ', attachment_ids: [] });
    expect(empty.body.error.message).toMatch(/text must not be empty/);
  });
});

describe('serving', () => {
  it('only a valid link of the right widget opens a file; a stranger gets no link; an expired one says so', async () => {
    const d = await dialogOf(1, 2);
    const a = (await uploadFile(1, pdf, 'secret.pdf', 'application/pdf')).body as Attachment;
    await (await as(1)).post(`/dialogs/${d}/messages`, { attachment_ids: [a.id] });
    const url = new URL(a.url, env.server.url);
    const bare = `${url.origin}${url.pathname}`;
    expect((await fetch(bare)).status).toBe(403);
    const forged = new URL(url);
    forged.searchParams.set('sig', 'A'.repeat(43));
    expect((await fetch(forged)).status).toBe(403);
    const later = new URL(url);
    later.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600));
    expect((await fetch(later)).status).toBe(403);
    // The same id and signature under another widget's dev_id: that widget's key did not sign it.
    expect((await fetch(`${url.origin}/files/v1/${other.devId}/${a.id}${url.search}`)).status).toBe(403);
    expect((await fetch(`${url.origin}/files/v1/${w.devId}/${a.id}/thumb${url.search}`)).status).toBe(403);
    // A member gets fresh links; a stranger of the widget and another widget's user get "not found".
    expect((await (await as(2)).get(`/uploads/${a.id}`)).body).toMatchObject({ id: a.id, name: 'secret.pdf' });
    expect((await (await as(3)).get(`/uploads/${a.id}`)).status).toBe(404);
    expect((await (await as(1, other)).get(`/uploads/${a.id}`)).status).toBe(404);
    expect((await fetch(url)).status).toBe(200);
    clock.advance(26 * 60 * 60_000);
    const expired = await fetch(url);
    expect([expired.status, ((await expired.json()) as { error: { code: string } }).error.code]).toEqual([410, 'link_expired']);
    const fresh = (await (await as(2)).get(`/uploads/${a.id}`)).body as Attachment;
    expect((await fetchLink(fresh.url)).status).toBe(200);
  });
});

describe('lifecycle', () => {
  it('uploads never sent go after an hour, bytes and row; sent ones stay', async () => {
    const d = await dialogOf(1, 2);
    const unsent = (await uploadFile(1, await jpegWithExif(), 'forgotten.jpg')).body as Attachment;
    const sent = (await uploadFile(1, pdf, 'kept.pdf')).body as Attachment;
    await (await as(1)).post(`/dialogs/${d}/messages`, { attachment_ids: [sent.id] });
    clock.advance(59 * 60_000);
    await env.server.files.sweep();
    expect(await env.server.store.getUpload(w.row.id, unsent.id)).not.toBeNull();
    clock.advance(2 * 60_000);
    expect(await env.server.files.sweep()).toBeGreaterThanOrEqual(1);
    expect(await env.server.store.getUpload(w.row.id, unsent.id)).toBeNull();
    expect(await env.server.files.storage.stat(storageKey(w.row.id, unsent.id, 'file'))).toBeNull();
    expect(await env.server.files.storage.stat(storageKey(w.row.id, unsent.id, 'thumb'))).toBeNull();
    expect(await env.server.files.storage.stat(storageKey(w.row.id, sent.id, 'file'))).not.toBeNull();
    // Too late to send it now.
    const late = await (await as(1)).post(`/dialogs/${d}/messages`, { attachment_ids: [unsent.id] });
    expect(late.body.error.code).toBe('upload_not_found');
  });

  it("the sweep also removes what a write cut off by a dead process left in the storage's scratch space", async () => {
    await uploadFile(1, pdf, 'fine.pdf'); // the scratch space exists once something was written
    const scratch = join(env.dataDir, 'files', LOCAL_SCRATCH_DIR);
    const left = join(scratch, 'c'.repeat(32));
    writeFileSync(left, 'the first half of a file');
    const longAgo = new Date(Date.now() - ABANDONED_WRITE_MS - 60_000);
    utimesSync(left, longAgo, longAgo);
    await env.server.files.sweep();
    expect(existsSync(left)).toBe(false);
  });

  it('a message’s files and a user’s files can be removed; their links answer 410 and usage drops', async () => {
    const d = await dialogOf(2, 'x-9');
    const one = (await uploadFile('x-9', pdf, 'one.pdf')).body as Attachment;
    const two = (await uploadFile('x-9', await jpegWithExif(), 'two.jpg')).body as Attachment;
    const m = (await (await as('x-9')).post(`/dialogs/${d}/messages`, { attachment_ids: [one.id] })).body as Message;
    const before = await env.server.store.storageUsage(w.row.id);
    expect(await env.server.files.removeMessageFiles(w.row.id, m.id)).toBe(1);
    const gone = await fetchLink(m.attachments[0]!.url);
    expect([gone.status, ((await gone.json()) as { error: { code: string } }).error.code]).toEqual([410, 'file_removed']);
    expect(await env.server.files.storage.stat(storageKey(w.row.id, one.id, 'file'))).toBeNull();
    expect(await env.server.files.removeUserFiles(w.row.id, 'x-9')).toBe(1);
    expect(await env.server.files.storage.stat(storageKey(w.row.id, two.id, 'thumb'))).toBeNull();
    const after = await env.server.store.storageUsage(w.row.id);
    expect(after.files).toBe(before.files - 2);
    expect(before.bytes - after.bytes).toBe(one.size + two.size + (await sharpThumbSize(two)));
  });
});

/** The thumbnail's bytes are counted too; its size is only known from the row. */
async function sharpThumbSize(a: Attachment): Promise<number> {
  const row = await env.server.store.getUpload(w.row.id, a.id);
  return row?.thumbSize ?? 0;
}
