// The composer's uploads: progress by the percent, cancel (the request is aborted), retry where it
// can help and not where the server refused the file, the ids a message sends, at most ten files
// a message, three at a time in the order attached, a cut-off connection on a too-large file, and
// a 429 waited out. The transport is the test's: each upload settles when the test says so (the
// real XMLHttpRequest against the real server is the browser test's, e2e/tests/attachments.spec.ts).
import { MAX_ATTACHMENTS, type Attachment } from '@imbachat/server/protocol';
import { expect, it } from 'vitest';
import { ApiError } from '../transport/rest.ts';
import type { Sending } from '../transport/upload.ts';
import { Uploads, type UploadsOptions } from './uploads.ts';

interface Sent {
  file: File;
  progress(fraction: number): void;
  answer(a: Attachment): void;
  fail(err: unknown): void;
  aborted: boolean;
}

function setup(extra: Partial<UploadsOptions> = {}) {
  const sent: Sent[] = [];
  const revoked: string[] = [];
  const errors: unknown[] = [];
  const timers: { run(): void; ms: number; cleared: boolean }[] = [];
  const uploads = new Uploads({
    send: (file, progress): Sending => {
      let answer!: (a: Attachment) => void;
      let fail!: (err: unknown) => void;
      const done = new Promise<Attachment>((resolve, reject) => ((answer = resolve), (fail = reject)));
      const s: Sent = { file, progress, answer, fail, aborted: false };
      sent.push(s);
      return {
        done,
        abort: () => {
          s.aborted = true;
          fail(new ApiError('aborted', 0, 'cancelled'));
        },
      };
    },
    onError: (err) => errors.push(err),
    preview: { create: (f) => (f.type.startsWith('image/') ? `blob:${f.name}` : null), revoke: (url) => revoked.push(url) },
    schedule: (run, ms) => {
      const t = { run, ms, cleared: false };
      timers.push(t);
      return () => void (t.cleared = true);
    },
    ...extra,
  });
  return { uploads, sent, revoked, errors, timers, tray: uploads.tray(7) };
}

const file = (name: string, size = 10, type = 'image/png') => new File([new Uint8Array(size)], name, { type });
const attachment = (f: File, id = `id-${f.name}`): Attachment => ({ id, kind: f.type.startsWith('image/') ? 'image' : 'file', name: f.name, size: f.size, mime: f.type, url: `/files/v1/e2e/${id}` });
/** Lets the upload's promise callbacks run. */
const settled = () => new Promise((r) => setTimeout(r, 0));

it('a file uploads at once, shows its progress by the percent, then gives the id a message sends', async () => {
  const { uploads, sent, tray } = setup();
  const f = file('cat.png', 2000);
  uploads.add(7, [f]);
  expect(tray.items.value).toMatchObject([{ status: 'uploading', progress: 0, preview: 'blob:cat.png' }]);
  expect(uploads.busy(7)).toBe(true);
  expect(sent.map((s) => s.file)).toEqual([f]);

  const before = tray.items.value;
  sent[0]!.progress(0.421);
  expect(tray.items.value[0]!.progress).toBe(0.42);
  sent[0]!.progress(0.4234); // the same percent: nothing to draw again
  expect(tray.items.value[0]!.progress).toBe(0.42);
  expect(tray.items.value).not.toBe(before);

  expect(uploads.ready(7)).toEqual([]); // nothing to send until it is in
  sent[0]!.answer(attachment(f));
  await settled();
  expect(tray.items.value).toMatchObject([{ status: 'done', progress: 1 }]);
  expect(uploads.busy(7)).toBe(false);
  expect(uploads.ready(7).map((a) => a.id)).toEqual(['id-cat.png']);
});

it('removing a file that is still uploading aborts its request, drops it and frees its preview', async () => {
  const { uploads, sent, revoked, tray } = setup();
  uploads.add(7, [file('a.png'), file('b.png')]);
  uploads.remove(7, tray.items.value[0]!.key);
  expect(sent[0]!.aborted).toBe(true);
  expect(revoked).toEqual(['blob:a.png']);
  expect(tray.items.value.map((u) => u.file.name)).toEqual(['b.png']);
  await settled();
  // The abort settles the request, but the tile is gone: nothing comes back as "failed".
  expect(tray.items.value).toMatchObject([{ status: 'uploading' }]);
});

it('a file that got no answer can be retried; one the server refused cannot', async () => {
  const { uploads, sent, tray } = setup();
  uploads.add(7, [file('photo.png'), file('page.png', 10, 'text/html')]);
  sent[0]!.fail(new ApiError('network', 0, 'no answer'));
  sent[1]!.fail(new ApiError('file_type_not_allowed', 415, 'Files of this type are not accepted.'));
  await settled();
  expect(tray.items.value).toMatchObject([
    { status: 'failed', error: 'network', retryable: true },
    { status: 'failed', error: 'file_type_not_allowed', retryable: false, detail: 'Files of this type are not accepted.' },
  ]);

  uploads.retry(7, tray.items.value[1]!.key); // refused: trying again cannot help
  expect(sent).toHaveLength(2);
  uploads.retry(7, tray.items.value[0]!.key);
  expect(sent).toHaveLength(3);
  expect(sent[2]!.file.name).toBe('photo.png');
  expect(tray.items.value[0]).toMatchObject({ status: 'uploading', progress: 0 });
  sent[2]!.answer(attachment(sent[2]!.file));
  await settled();
  expect(uploads.ready(7).map((a) => a.name)).toEqual(['photo.png']);
});

it(`a message carries at most ${MAX_ATTACHMENTS} files: the rest are left out and the tray says so`, () => {
  const { uploads, tray } = setup();
  uploads.add(7, Array.from({ length: 8 }, (_, i) => file(`a${i}.png`)));
  expect(tray.overflow.value).toBe(false);
  uploads.add(7, Array.from({ length: 4 }, (_, i) => file(`b${i}.png`)));
  expect(tray.items.value).toHaveLength(MAX_ATTACHMENTS);
  expect(tray.items.value.map((u) => u.file.name).slice(-2)).toEqual(['b0.png', 'b1.png']);
  expect(tray.overflow.value).toBe(true);
  // Removing one makes room again, and the note goes.
  uploads.remove(7, tray.items.value[0]!.key);
  expect(tray.overflow.value).toBe(false);
  uploads.add(7, [file('c.png')]);
  expect(tray.items.value).toHaveLength(MAX_ATTACHMENTS);
  // Another dialog's tray is its own.
  uploads.add(8, [file('d.png')]);
  expect(uploads.tray(8).items.value).toHaveLength(1);
});

it('three files upload side by side; the others start in the order attached as those finish', async () => {
  const { uploads, sent, tray } = setup();
  const files = ['1', '2', '3', '4', '5'].map((n) => file(`${n}.png`));
  uploads.add(7, files);
  expect(sent.map((s) => s.file.name)).toEqual(['1.png', '2.png', '3.png']);
  expect(tray.items.value.map((u) => u.status)).toEqual(['uploading', 'uploading', 'uploading', 'queued', 'queued']);
  sent[1]!.answer(attachment(files[1]!));
  await settled();
  expect(sent.map((s) => s.file.name)).toEqual(['1.png', '2.png', '3.png', '4.png']);
  uploads.remove(7, tray.items.value[0]!.key); // a cancel frees a place too
  expect(sent.map((s) => s.file.name)).toEqual(['1.png', '2.png', '3.png', '4.png', '5.png']);
});

it('the limit the server states later (GET …/uploads) refuses larger files from then on, without a byte sent', () => {
  const { uploads, sent, tray } = setup();
  uploads.add(7, [file('before.png', 5000)]);
  uploads.limit(2000);
  uploads.add(7, [file('after.png', 5000), file('fits.png', 2000)]);
  expect(sent.map((s) => s.file.name)).toEqual(['before.png', 'fits.png']);
  expect(tray.items.value[1]).toMatchObject({ status: 'failed', error: 'file_too_large', retryable: false });
});

it("the server's policy sets what the picker offers (types and extensions) and the limit; what is not a type or an extension is left out", () => {
  const { uploads, sent } = setup();
  expect(uploads.accept.value).toBeUndefined(); // every file, until the policy is in
  uploads.takePolicy({ max_bytes: 1000, types: ['image/png', 'application/pdf', '', 'text/html"><b>'], extensions: ['.png', '.pdf', 'png', 42, '.png'] });
  expect(uploads.accept.value).toBe('image/png,application/pdf,.png,.pdf');
  uploads.add(7, [file('big.png', 1001), file('ok.png', 1000)]);
  expect(sent.map((s) => s.file.name)).toEqual(['ok.png']);
});

it('a policy that is not one changes nothing: every file offered, no limit taken', () => {
  const { uploads, sent } = setup();
  uploads.takePolicy({ max_bytes: '10' as unknown as number, types: 'image/png' as unknown as string[] });
  uploads.takePolicy({ max_bytes: -1, extensions: [null] as unknown as string[] });
  expect(uploads.accept.value).toBeUndefined();
  uploads.add(7, [file('any.bin', 5_000_000)]);
  expect(sent.map((s) => s.file.name)).toEqual(['any.bin']);
});

it('a file over the known limit is refused at once, and one cut off with no answer reads as too large once a 413 was seen', async () => {
  const { uploads, sent, tray } = setup({ maxBytes: 1000 });
  uploads.add(7, [file('small.png', 900), file('big.png', 1001)]);
  // Over the stated limit: refused at once, nothing is sent.
  expect(sent.map((s) => s.file.name)).toEqual(['small.png']);
  expect(tray.items.value[1]).toMatchObject({ status: 'failed', error: 'file_too_large', retryable: false });

  // No stated limit: two large files go side by side; the server answers the first with 413 and
  // cuts the second off before its answer can be read.
  const other = setup();
  other.uploads.add(7, [file('huge.png', 5000), file('huger.png', 6000), file('fine.png', 4000)]);
  other.sent[0]!.fail(new ApiError('file_too_large', 413, 'The file is larger than 4.5 KB.'));
  other.sent[1]!.fail(new ApiError('network', 0, 'reset'));
  other.sent[2]!.fail(new ApiError('network', 0, 'reset'));
  await settled();
  expect(other.tray.items.value).toMatchObject([
    { status: 'failed', error: 'file_too_large', retryable: false },
    { status: 'failed', error: 'file_too_large', retryable: false },
    // Smaller than any refused: a plain network failure, worth a retry.
    { status: 'failed', error: 'network', retryable: true },
  ]);
  // From now on a file as large is refused here at once.
  other.uploads.add(7, [file('huge2.png', 5000)]);
  expect(other.sent).toHaveLength(3);
  expect(other.tray.items.value[3]).toMatchObject({ error: 'file_too_large' });
});

it('a 429 is waited out (Retry-After, else 5 s) and tried again by itself, three times, then Retry is offered', async () => {
  const { uploads, sent, tray, timers } = setup();
  uploads.add(7, [file('one.png')]);
  for (let i = 0; i < 3; i++) {
    sent[i]!.fail(new ApiError('rate_limited', 429, 'Too many uploads', i === 0 ? 9000 : 0));
    await settled();
    expect(tray.items.value[0]).toMatchObject({ status: 'queued' });
    expect(timers[i]!.ms).toBe(i === 0 ? 9000 : 5000);
    expect(sent).toHaveLength(i + 1); // waits for its time
    timers[i]!.run();
    expect(sent).toHaveLength(i + 2);
  }
  sent[3]!.fail(new ApiError('rate_limited', 429, 'Too many uploads'));
  await settled();
  expect(tray.items.value[0]).toMatchObject({ status: 'failed', error: 'rate_limited', retryable: true });
});

it('sending takes the uploaded files out of the tray; failed ones stay with their reason', async () => {
  const { uploads, sent, revoked, tray } = setup();
  const [a, b] = [file('a.png'), file('b.pdf', 10, 'application/pdf')];
  uploads.add(7, [a, b]);
  sent[0]!.answer(attachment(a));
  sent[1]!.fail(new ApiError('file_unreadable', 422, 'The file could not be read.'));
  await settled();
  uploads.sent(7);
  expect(tray.items.value).toMatchObject([{ status: 'failed', error: 'file_unreadable' }]);
  expect(revoked).toEqual(['blob:a.png']);
  expect(uploads.ready(7)).toEqual([]);
});

it('a token that cannot be renewed stops the chat (the error goes to it) and the file can be retried', async () => {
  const { uploads, sent, tray, errors } = setup();
  uploads.add(7, [file('a.png')]);
  sent[0]!.fail(new ApiError('token_expired', 401, 'expired'));
  await settled();
  expect(errors).toHaveLength(1);
  expect(tray.items.value[0]).toMatchObject({ status: 'failed', retryable: true });
});

it('disposing aborts every upload and frees every preview', () => {
  const { uploads, sent, revoked } = setup();
  uploads.add(7, [file('a.png')]);
  uploads.add(8, [file('b.png')]);
  uploads.dispose();
  expect(sent.every((s) => s.aborted)).toBe(true);
  expect(revoked.sort()).toEqual(['blob:a.png', 'blob:b.png']);
});
