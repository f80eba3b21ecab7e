// The widgets CLI as an operator runs it: a real process on a temp data dir.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from './store/sqlite/index.ts';
import { CLI_TEST_TIMEOUT_MS, LOOPBACK_CIDRS } from './testing/harness.ts';
import { startHostSite } from './testing/host-site.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = async (...args: string[]) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'widgets', ...args], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, IMBACHAT_DATA_DIR: dataDir, INIT_CWD: '', IMBACHAT_HOST_ALLOWLIST: LOOPBACK_CIDRS },
  });
  return JSON.parse(stdout);
};

it('widgets update changes only the fields given: the login and password survive a new name or origins', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
  const created = await cli('create', '--name', 'Shop', '--users-info-url', 'https://shop.example/users', '--api-login', 'chat', '--api-password', 's3cret', '--origin', 'https://shop.example');
  await cli('update', created.dev_id, '--name', 'Shop 2');
  await cli('update', created.dev_id, '--origin', 'https://a.example', '--origin', 'https://b.example');
  const store = openSqliteStore(join(dataDir, 'imbachat.sqlite'));
  try {
    const row = await store.getWidgetByDevId(created.dev_id);
    expect(row).toMatchObject({
      name: 'Shop 2',
      apiLogin: 'chat',
      apiPassword: 's3cret',
      usersInfoUrl: 'https://shop.example/users',
      allowedOrigins: ['https://a.example', 'https://b.example'],
    });
  } finally {
    await store.close();
  }
});

it('widgets --help prints the usage and succeeds; widgets show prints one widget without its secrets', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'widgets', '--help'], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, IMBACHAT_DATA_DIR: dataDir, INIT_CWD: '', IMBACHAT_HOST_ALLOWLIST: LOOPBACK_CIDRS },
  });
  expect(stdout).toMatch(/^Usage:/);
  expect(stdout).toMatch(/widgets show DEV_ID/);
  expect(stdout).toMatch(/widgets delete DEV_ID \[--yes\]/);
  expect(stdout).toMatch(/--yes deletes without asking/);
  const created = await cli('create', '--name', 'Shown', '--users-info-url', 'https://shown.example/users', '--api-login', 'l', '--api-password', 'p');
  const shown = await cli('show', created.dev_id);
  expect(shown).toMatchObject({ dev_id: created.dev_id, name: 'Shown', api_login: 'l' });
  expect(shown).not.toHaveProperty('secret_key');
  expect(shown).not.toHaveProperty('api_password');
  await expect(cli('show', 'no-such-widget')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/no widget has dev_id "no-such-widget"/) });
});

it('widgets check asks the users-info URL and says what came back: users found, and a refusal of the credentials', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
  const host = await startHostSite([{ user_id: 7, name: 'Seven' }]);
  try {
    const created = await cli('create', '--name', 'Checked', '--users-info-url', host.url, '--api-login', host.login, '--api-password', host.password);
    expect(await cli('check', created.dev_id, '--user-id', '7', '--user-id', '8')).toMatchObject({
      ok: true,
      found: [{ user_id: '7', name: 'Seven' }],
      missing: ['8'],
    });
    await cli('update', created.dev_id, '--api-password', 'wrong');
    const refused = await cli('check', created.dev_id, '--user-id', '7').then(
      () => null,
      (err: { code: number; stdout: string }) => ({ code: err.code, out: JSON.parse(err.stdout) }),
    );
    expect(refused).toMatchObject({ code: 1, out: { ok: false, verdict: expect.stringMatching(/refused api_login\/api_password/), problem: expect.stringMatching(/HTTP 401/) } });
    expect(JSON.stringify(refused)).not.toContain('wrong');
  } finally {
    await host.stop();
  }
});
