// @vitest-environment happy-dom
// The upload request itself, against the real server (its test environment as its own process):
// the file goes as the multipart field "file" with the user's token and comes back as an
// Attachment; a refusal is an ApiError with the server's code and sentence; a bad token is not
// renewed (only an expired one is); a cancel settles as "aborted". Progress events are the
// browser's (happy-dom sends none): the browser test watches them.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { within } from '../../../server/src/testing/ws-client.ts';
import { ApiError } from './rest.ts';
import { uploadFile, type UploadOptions } from './upload.ts';

let server: { url: string; devId: string; tokens: Record<string, string> };
let child: ChildProcess;
beforeAll(async () => {
  const serverDir = resolve(import.meta.dirname, '../../../server');
  child = spawn(process.execPath, ['--import', 'tsx', 'src/testing/serve.ts', JSON.stringify(['up-me'])], { cwd: serverDir, stdio: ['pipe', 'pipe', 'inherit'] });
  server = await within(
    new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.once('exit', (code) => reject(new Error(`the test server exited with ${code}`)));
    }),
    'the test server starting',
    30_000,
  );
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await exited;
  }
});

const options = (token: () => string, refreshToken: UploadOptions['refreshToken'] = async () => null): UploadOptions => ({
  url: `${server.url}/api/v1/${server.devId}/uploads`,
  token,
  refreshToken,
});
const text = (name: string, body: string, type = 'text/plain') => new File([body], name, { type });

it('a file goes as the multipart field "file" with the token and comes back as an attachment with its links', async () => {
  const a = await uploadFile(options(() => server.tokens['up-me']!), text('Packing list.txt', 'Boots, map, water.\n'), () => {}).done;
  expect(a).toMatchObject({ kind: 'file', name: 'Packing list.txt', size: 19, mime: 'text/plain' });
  expect(a.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(a.url).toMatch(new RegExp(`^/files/v1/${server.devId}/${a.id}\\?exp=\\d+&sig=`));
});

it('a refused file is an ApiError with the server code and its sentence', async () => {
  const err = await uploadFile(options(() => server.tokens['up-me']!), text('cat.png', '<!doctype html><p>not a cat</p>', 'image/png'), () => {}).done.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ code: 'file_type_not_allowed', status: 415 });
  expect((err as ApiError).message).toMatch(/HTML/);
});

it('a token the server does not take is refused as it came, without asking the page for another', async () => {
  let asked = 0;
  const refresh = async () => (asked++, null);
  const err = await uploadFile(options(() => 'not.a.token', refresh), text('again.txt', 'hi\n'), () => {}).done.catch((e: unknown) => e);
  expect(err).toMatchObject({ code: 'token_malformed', status: 401 });
  expect(asked).toBe(0); // only token_expired is renewed
});

it('a cancelled upload settles as "aborted"', async () => {
  const sending = uploadFile(options(() => server.tokens['up-me']!), text('big.txt', 'x'.repeat(200_000)), () => {});
  sending.abort();
  await expect(sending.done).rejects.toMatchObject({ code: 'aborted' });
});
