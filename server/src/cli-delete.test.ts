// `widgets delete` as an operator runs it: a real CLI process on a data dir, with and without a
// terminal, and beside a running server that must stop serving the widget.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { storageKey } from './files/service.ts';
import { createLocalStorage } from './files/storage/local.ts';
import { openSqliteStore } from './store/sqlite/index.ts';
import type { Store } from './store/types.ts';
import { ManualClock } from './testing/clock.ts';
import { CLI_TEST_TIMEOUT_MS, LOOPBACK_CIDRS, createEnv, within } from './testing/harness.ts';

const run = promisify(execFile);
const serverDir = join(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-cli-delete-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// The loopback allowlist: some tests create widgets pointing at a test host site on 127.0.0.1.
const cliEnv = (dir: string, extra: Record<string, string> = {}) => ({ ...process.env, IMBACHAT_DATA_DIR: dir, INIT_CWD: '', IMBACHAT_HOST_ALLOWLIST: LOOPBACK_CIDRS, ...extra });

/** Runs the CLI with stdin a pipe (not a terminal); resolves with what it printed and its exit code. */
async function cli(dir: string | { dataDir: string; engineEnv: Record<string, string> }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // Beside a running test server: its data dir and the store and engines it runs on.
  const env = typeof dir === 'string' ? cliEnv(dir) : cliEnv(dir.dataDir, dir.engineEnv);
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'widgets', ...args], { cwd: serverDir, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function withStore<T>(dir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore(join(dir, 'imbachat.sqlite'));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

let counter = 0;
/** A widget with a direct dialog (two messages), a group of three (its first, system message and one more) and two users' last-seen state. */
async function widgetWithData(dir: string): Promise<string> {
  const devId = `del-${++counter}`;
  const created = await cli(dir, 'create', '--dev-id', devId, '--name', `Shop ${counter}`, '--users-info-url', 'https://shop.example/u', '--api-login', 'l', '--api-password', 'p');
  expect(created.code).toBe(0);
  await withStore(dir, async (store) => {
    const w = (await store.getWidgetByDevId(devId))!.id;
    const { dialogId } = await store.openDirectDialog(w, '1', '2', 1);
    const { dialogId: groupId } = await store.createGroup(w, { creatorId: '1', title: 'g', memberIds: ['1', '2', '3'], createdText: 'User 1 created the group “g”' }, 2);
    await store.commitSends([
      { widgetId: w, dialogId, senderId: '1', text: 'a', clientMsgId: null, now: 3 },
      { widgetId: w, dialogId, senderId: '2', text: 'b', clientMsgId: null, now: 4 },
      { widgetId: w, dialogId: groupId, senderId: '3', text: 'c', clientMsgId: null, now: 5 },
    ]);
    await store.setLastSeen(w, '1', 6);
    await store.setLastSeen(w, '2', 7);
    // An image upload: its row, and its bytes and thumbnail on disk.
    const id = randomBytes(16).toString('base64url');
    await store.createUpload({ widgetId: w, id, uploaderId: '1', name: 'p.png', mime: 'image/png', kind: 'image', size: 4, width: 1, height: 1, thumb: true, thumbSize: 1, createdAt: 8 });
    const files = createLocalStorage({ dir: join(dir, 'files') });
    await files.put(storageKey(w, id, 'file'), Buffer.from('file'), { contentType: 'image/png' });
    await files.put(storageKey(w, id, 'thumb'), Buffer.from('t'), { contentType: 'image/webp' });
    await files.close();
  });
  return devId;
}

/** What the store holds for a widget, as its users see it. */
const holdings = (dir: string, devId: string) =>
  withStore(dir, async (store) => {
    const w = await store.getWidgetByDevId(devId);
    if (!w) return null;
    const dialogs = await store.listDialogsForMember(w.id, '2', null, 100);
    return { dialogs, messages: await Promise.all(dialogs.map((d) => store.listMessages(w.id, d.id, { limit: 100 }))) };
  });

describe('widgets delete', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('with --yes removes the widget and all of its data, prints what it removed, and leaves other widgets alone', async () => {
    const doomed = await widgetWithData(dataDir);
    const kept = await widgetWithData(dataDir);
    const keptBefore = await holdings(dataDir, kept);
    expect(keptBefore?.dialogs).toHaveLength(2);

    const out = await cli(dataDir, 'delete', doomed, '--yes');

    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      dev_id: doomed,
      name: expect.stringMatching(/^Shop /),
      // The group's messages: its first (the system message of its creation) and c's.
      deleted: { dialogs: 2, members: 5, messages: 4, events: expect.any(Number), user_states: 2, uploads: 1, stored_files: 2 },
    });
    expect(JSON.parse(out.stdout).deleted.events).toBeGreaterThanOrEqual(5);
    expect(await holdings(dataDir, doomed)).toBeNull();
    expect(await holdings(dataDir, kept)).toEqual(keptBefore);
    expect(JSON.parse((await cli(dataDir, 'show', kept)).stdout).storage).toEqual({ files: 1, bytes: 5 });
    const keptId = await withStore(dataDir, async (s) => (await s.getWidgetByDevId(kept))!.id);
    expect(readdirSync(join(dataDir, 'files', `w${keptId}`))).toHaveLength(2);
    expect(readdirSync(join(dataDir, 'files')).filter((d) => d.startsWith('w')).length).toBeLessThan(counter);
    const listed = JSON.parse((await cli(dataDir, 'list')).stdout) as Array<{ dev_id: string }>;
    expect(listed.map((w) => w.dev_id)).toContain(kept);
    expect(listed.map((w) => w.dev_id)).not.toContain(doomed);
  }, 30_000);

  it('without --yes and without a terminal to ask on, refuses with exit code 1 and deletes nothing', async () => {
    const devId = await widgetWithData(dataDir);
    const before = await holdings(dataDir, devId);
    const out = await cli(dataDir, 'delete', devId);
    expect(out).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/stdin is not a terminal: add --yes/) });
    expect(await holdings(dataDir, devId)).toEqual(before);
  }, 30_000);

  it('answers an unknown DEV_ID with a clear error and exit code 1', async () => {
    expect(await cli(dataDir, 'delete', 'no-such-widget', '--yes')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'imbachat: no widget has dev_id "no-such-widget"; nothing deleted\n',
    });
    expect(await cli(dataDir, 'delete')).toMatchObject({ code: 2, stderr: expect.stringMatching(/delete needs the DEV_ID/) });
  }, 30_000);

  // util-linux `script` gives the CLI a real terminal; the test cannot run without one.
  const hasScript = spawnSync('script', ['--version']).error === undefined;
  it.skipIf(!hasScript)('on a terminal asks first, and deletes only after "y"', async () => {
    const devId = await widgetWithData(dataDir);
    const atTerminal = (answer: string) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const command = `'${process.execPath}' --import tsx src/cli.ts widgets delete ${devId}`;
        const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: serverDir, env: cliEnv(dataDir) });
        let output = '';
        let answered = false;
        child.stdout.on('data', (d: Buffer) => {
          output += d.toString();
          if (!answered && output.includes('[y/N]')) {
            answered = true;
            child.stdin.write(`${answer}\r`);
          }
        });
        child.once('close', (code) => resolve({ code, output }));
      });

    const declined = await atTerminal('n');
    expect(declined.output).toMatch(new RegExp(`Delete widget "${devId}" \\(Shop \\d+\\) with all of its dialogs, messages and events\\?`));
    expect(declined).toMatchObject({ code: 1, output: expect.stringMatching(/nothing deleted/) });
    expect(await holdings(dataDir, devId)).not.toBeNull();

    const confirmed = await atTerminal('y');
    expect(confirmed).toMatchObject({ code: 0, output: expect.stringMatching(/"messages": 4/) });
    expect(await holdings(dataDir, devId)).toBeNull();
  }, 30_000);
});

describe('widgets delete beside a running server', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  it('the server stops serving the widget within its cache second: the API answers 404, an open socket is closed with 4500 on its next frame', async () => {
    const clock = new ManualClock();
    const env = await createEnv({ now: clock.now });
    try {
      const [w] = env.widgets;
      const token = await w!.token(1);
      const api = env.api(w!, token);
      expect((await api.get('/me')).status).toBe(200);
      const socket = await env.ws(w!, token);

      expect((await cli(env, 'delete', w!.devId, '--yes')).code).toBe(0);
      clock.advance(1_001);

      expect(await api.get('/me')).toMatchObject({ status: 404, body: { error: { code: 'widget_not_found' } } });
      socket.send({ type: 'ping' });
      expect(await within(socket.closed, 'the socket to close')).toEqual({ code: 4500, reason: 'widget_not_found' });
    } finally {
      await env.close();
    }
  }, 30_000);

  it('a widget created anew under the deleted dev_id is another widget: sockets of the old one are closed all the same', async () => {
    const clock = new ManualClock();
    const env = await createEnv({ now: clock.now });
    try {
      const [w] = env.widgets;
      const socket = await env.ws(w!, await w!.token(1));
      expect((await cli(env, 'delete', w!.devId, '--yes')).code).toBe(0);
      const again = await cli(env, 'create', '--dev-id', w!.devId, '--name', 'Again', '--users-info-url', w!.host.url, '--api-login', 'l', '--api-password', 'p');
      expect(again.code).toBe(0);
      clock.advance(1_001);

      socket.send({ type: 'ping' });
      expect(await within(socket.closed, 'the socket to close')).toEqual({ code: 4500, reason: 'widget_not_found' });
    } finally {
      await env.close();
    }
  }, 30_000);
});
