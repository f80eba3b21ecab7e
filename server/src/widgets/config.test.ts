import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { applyWidgetConfig, hashHostApiKey } from './service.ts';
import { CLI_TEST_TIMEOUT_MS } from '../testing/harness.ts';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'imbachat-cfg-'));
  dirs.push(d);
  return d;
}

const good = {
  dev_id: 'shop',
  name: 'Shop',
  secret_key: 'k'.repeat(32),
  api_login: 'bot',
  api_password: 'hunter2',
  users_info_url: 'https://shop.example/chat/users',
  allowed_origins: ['https://shop.example'],
  admin_ids: [1, '2'],
};

function writeConfig(dir: string, widgets: unknown[]) {
  const file = join(dir, 'imbachat.json');
  writeFileSync(file, JSON.stringify({ widgets }));
  return file;
}

describe('declarative widgets file', () => {
  it('creates widgets at start and updates them when the file changes', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'db.sqlite'));
    try {
      const first = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [good]), IMBACHAT_DATA_DIR: dir });
      expect(await applyWidgetConfig(store, first.widgets, 1)).toEqual({ created: ['shop'], updated: [] });
      expect(await applyWidgetConfig(store, first.widgets, 2)).toEqual({ created: [], updated: [] });
      const second = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, name: 'Shop 2' }]) });
      expect(await applyWidgetConfig(store, second.widgets, 3)).toEqual({ created: [], updated: ['shop'] });
      expect(await store.getWidgetByDevId('shop')).toMatchObject({ name: 'Shop 2', adminIds: ['1', '2'], apiPassword: 'hunter2' });
    } finally {
      await store.close();
    }
  });

  it('refuses a secret_key shorter than 32 bytes, without echoing it', () => {
    const dir = tempDir();
    const file = writeConfig(dir, [{ ...good, secret_key: 'short-secret-value' }]);
    expect(() => loadConfig({ IMBACHAT_CONFIG: file })).toThrow(/widgets\.0\.secret_key: secret_key must be at least 32 bytes/);
    let message = '';
    try {
      loadConfig({ IMBACHAT_CONFIG: file });
    } catch (err) {
      message = (err as Error).message;
    }
    // Asserted outside the catch, so a config that stopped throwing fails here too.
    expect(message).toMatch(/secret_key/);
    expect(message).not.toContain('short-secret-value');
  });

  it('names the field for other mistakes, and unreadable files', () => {
    const dir = tempDir();
    expect(() => loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, users_info_url: 'ftp://x' }]) })).toThrow(/users_info_url/);
    expect(() => loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, dev_id: 'bad id!' }]) })).toThrow(/dev_id/);
    expect(() => loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, surprise: 1 }]) })).toThrow(/surprise/);
    expect(() => loadConfig({ IMBACHAT_CONFIG: join(dir, 'missing.json') })).toThrow(/Cannot read IMBACHAT_CONFIG/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('refuses users_info_url at 169.254.169.254, [fd00:ec2::254], 0xa9fea9fe and metadata.google.internal', () => {
    const dir = tempDir();
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://0xa9fea9fe/', 'http://metadata.google.internal/computeMetadata/v1/']) {
      const file = writeConfig(dir, [good, { ...good, dev_id: 'evil', users_info_url: url }]);
      expect(() => loadConfig({ IMBACHAT_CONFIG: file }), url).toThrow(/widgets\.1\.users_info_url: .*metadata/);
      // No allowlist opens a metadata address.
      expect(() => loadConfig({ IMBACHAT_CONFIG: file, IMBACHAT_HOST_ALLOWLIST: '0.0.0.0/0,::/0' }), url).toThrow(/metadata/);
    }
  });

  it('accepts a loopback or private users_info_url only when IMBACHAT_HOST_ALLOWLIST covers it', () => {
    const dir = tempDir();
    const file = writeConfig(dir, [{ ...good, users_info_url: 'http://127.0.0.1:3000/api/users-info' }]);
    expect(() => loadConfig({ IMBACHAT_CONFIG: file })).toThrow(/widgets\.0\.users_info_url: 127\.0\.0\.1 is a loopback address \(allow it with IMBACHAT_HOST_ALLOWLIST\)/);
    expect(() => loadConfig({ IMBACHAT_CONFIG: file, IMBACHAT_HOST_ALLOWLIST: '10.0.0.0/8' })).toThrow(/loopback/);
    const allowed = loadConfig({ IMBACHAT_CONFIG: file, IMBACHAT_HOST_ALLOWLIST: '127.0.0.0/8,::1/128' });
    expect(allowed.widgets[0]!.users_info_url).toBe('http://127.0.0.1:3000/api/users-info');
    expect(allowed.hostAllowlist.text).toBe('127.0.0.0/8,::1/128');
    expect(loadConfig({}).hostAllowlist.ranges).toEqual([]);
  });

  it('a bad CIDR in IMBACHAT_HOST_ALLOWLIST is a config error that names it', () => {
    expect(() => loadConfig({ IMBACHAT_HOST_ALLOWLIST: '127.0.0.0/8,10.0.0.0/33' })).toThrow(
      /Invalid environment: IMBACHAT_HOST_ALLOWLIST: "10\.0\.0\.0\/33" is not a CIDR range such as 127\.0\.0\.0\/8 or ::1\/128/,
    );
  });

  it('max_group_members applies to the widget, and leaving it out goes back to the default', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'db.sqlite'));
    try {
      const withLimit = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, max_group_members: 50 }]) });
      await applyWidgetConfig(store, withLimit.widgets, 1);
      expect((await store.getWidgetByDevId('shop'))?.maxGroupMembers).toBe(50);
      const without = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [good]) });
      expect(await applyWidgetConfig(store, without.widgets, 2)).toEqual({ created: [], updated: ['shop'] });
      expect((await store.getWidgetByDevId('shop'))?.maxGroupMembers).toBeNull();
    } finally {
      await store.close();
    }
    for (const [value, message] of [
      [1, /widgets\.0\.max_group_members: max_group_members must be at least 2/],
      [2001, /widgets\.0\.max_group_members: max_group_members must be at most 2000/],
      [10.5, /whole number/],
      ['50', /must be a number/],
    ] as const) {
      expect(() => loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, max_group_members: value }]) }), String(value)).toThrow(message);
    }
  });

  it('uploads (largest file, allowed types) apply to the widget, are validated by name, and leaving them out goes back to the defaults', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'db.sqlite'));
    try {
      const own = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, uploads: { max_bytes: 2_000_000, types: ['image/png', 'application/pdf', 'image/png'] } }]) });
      await applyWidgetConfig(store, own.widgets, 1);
      expect((await store.getWidgetByDevId('shop'))?.uploadSettings).toEqual({ maxBytes: 2_000_000, types: ['image/png', 'application/pdf'] });
      const without = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [good]) });
      expect(await applyWidgetConfig(store, without.widgets, 2)).toEqual({ created: [], updated: ['shop'] });
      expect((await store.getWidgetByDevId('shop'))?.uploadSettings).toBeNull();
    } finally {
      await store.close();
    }
    for (const [uploads, message] of [
      [{ max_bytes: 10 }, /widgets\.0\.uploads\.max_bytes: max_bytes must be at least 1024/],
      [{ max_bytes: 200 * 1024 * 1024 }, /max_bytes must be at most 104857600/],
      [{ types: ['text/html'] }, /widgets\.0\.uploads\.types\.0: each of types must be one of image\/png/],
      [{ max_size: 5 }, /unrecognized key|max_size/i],
    ] as const) {
      expect(() => loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, uploads }]) }), JSON.stringify(uploads)).toThrow(message);
    }
  });

  it('host_api_key is kept as its SHA-256 only, turned off by leaving it out, and refused when short, without echoing it', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'db.sqlite'));
    const key = 'host-key-'.repeat(5);
    try {
      const withKey = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, host_api_key: key }]) });
      await applyWidgetConfig(store, withKey.widgets, 1);
      const row = (await store.getWidgetByDevId('shop'))!;
      expect(row.hostApiKeyHash).toBe(hashHostApiKey(key));
      expect(JSON.stringify(row)).not.toContain(key);
      const without = loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [good]) });
      expect(await applyWidgetConfig(store, without.widgets, 2)).toEqual({ created: [], updated: ['shop'] });
      expect((await store.getWidgetByDevId('shop'))?.hostApiKeyHash).toBeNull();
    } finally {
      await store.close();
    }
    let message = '';
    try {
      loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, host_api_key: 'short-host-key' }]) });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/widgets\.0\.host_api_key: host_api_key must be 32–512 printable ASCII characters/);
    expect(message).not.toContain('short-host-key');
  });

  it('admin_ids " 1 " is refused, not trimmed into user 1; "01" stays a user of its own', () => {
    const dir = tempDir();
    for (const id of [' 1 ', '1\n', '\ud800', '']) {
      expect(() => loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, admin_ids: [id] }]) }), JSON.stringify(id)).toThrow(/widgets\.0\.admin_ids\.0: must be a string of 1–128 characters/);
    }
    expect(loadConfig({ IMBACHAT_CONFIG: writeConfig(dir, [{ ...good, admin_ids: ['01', 1, '1.0'] }]) }).widgets[0]!.admin_ids).toEqual(['01', '1', '1.0']);
  });
});

describe('widgets CLI', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  const cli = (dir: string, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'cli.ts'), ...args], {
      env: { ...process.env, IMBACHAT_DATA_DIR: dir, INIT_CWD: dir, IMBACHAT_HOST_ALLOWLIST: '' },
    });

  it('creates, lists, updates and rotates, printing secrets only when they are new', async () => {
    const dir = tempDir();
    const created = JSON.parse(
      (await cli(dir, 'widgets', 'create', '--name', 'Blog', '--users-info-url', 'https://blog.example/u', '--api-login', 'bot', '--api-password', 'pw', '--origin', 'https://blog.example')).stdout,
    );
    expect(created.dev_id).toMatch(/^[a-z0-9]+$/);
    expect(Buffer.byteLength(created.secret_key)).toBeGreaterThanOrEqual(32);
    const list = JSON.parse((await cli(dir, 'widgets', 'list')).stdout);
    expect(list).toEqual([expect.objectContaining({ dev_id: created.dev_id, name: 'Blog', allowed_origins: ['https://blog.example'] })]);
    expect(JSON.stringify(list)).not.toContain(created.secret_key);
    expect(JSON.stringify(list)).not.toContain('"pw"');
    const updated = JSON.parse((await cli(dir, 'widgets', 'update', created.dev_id, '--name', 'Blog 2')).stdout);
    expect(updated.name).toBe('Blog 2');
    const rotated = JSON.parse((await cli(dir, 'widgets', 'rotate-secret', created.dev_id)).stdout);
    expect(rotated.secret_key).not.toBe(created.secret_key);
    const err = await cli(dir, 'widgets', 'update', 'nope', '--name', 'x').catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('no widget has dev_id "nope"');
  });

  it('creates a widget with a host API key printed once, shows only whether it is on, and rotates it', async () => {
    const dir = tempDir();
    const created = JSON.parse(
      (await cli(dir, 'widgets', 'create', '--name', 'Blog', '--users-info-url', 'https://blog.example/u', '--api-login', 'bot', '--api-password', 'pw')).stdout,
    );
    expect(created.host_api_key).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(created.host_api_key).not.toBe(created.secret_key);
    expect(created.host_api).toBe('on');
    const shown = (await cli(dir, 'widgets', 'show', created.dev_id)).stdout;
    expect(JSON.parse(shown).host_api).toBe('on');
    expect(shown).not.toContain(created.host_api_key);
    const rotated = JSON.parse((await cli(dir, 'widgets', 'rotate-host-key', created.dev_id)).stdout);
    expect(Object.keys(rotated)).toEqual(['dev_id', 'host_api_key']);
    expect(rotated.host_api_key).not.toBe(created.host_api_key);
    const store = openSqliteStore(join(dir, 'imbachat.sqlite'));
    try {
      const row = (await store.getWidgetByDevId(created.dev_id))!;
      expect(row.hostApiKeyHash).toBe(hashHostApiKey(rotated.host_api_key));
    } finally {
      await store.close();
    }
    const err = await cli(dir, 'widgets', 'rotate-host-key', 'nope').catch((e) => e);
    expect(err.code).toBe(2);
  });

  it('refuses users_info_url at 169.254.169.254, [fd00:ec2::254], 0xa9fea9fe and metadata.google.internal, creating nothing', async () => {
    const dir = tempDir();
    const base = ['--name', 'Evil', '--api-login', 'l', '--api-password', 'p'];
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://0xa9fea9fe/', 'http://metadata.google.internal/']) {
      const err = await cli(dir, 'widgets', 'create', ...base, '--users-info-url', url).catch((e) => e);
      expect(err.code, url).toBe(2);
      expect(err.stderr).toMatch(/users_info_url: .*metadata/);
    }
    expect(JSON.parse((await cli(dir, 'widgets', 'list')).stdout)).toEqual([]);
    const created = JSON.parse((await cli(dir, 'widgets', 'create', ...base, '--users-info-url', 'https://shop.example/u')).stdout);
    const err = await cli(dir, 'widgets', 'update', created.dev_id, '--users-info-url', 'http://0xa9fea9fe/').catch((e) => e);
    expect(err.code).toBe(2);
    expect(JSON.parse((await cli(dir, 'widgets', 'show', created.dev_id)).stdout).users_info_url).toBe('https://shop.example/u');
  });

  it('accepts a loopback users_info_url only with IMBACHAT_HOST_ALLOWLIST', async () => {
    const dir = tempDir();
    const args = ['widgets', 'create', '--name', 'Local', '--api-login', 'l', '--api-password', 'p', '--users-info-url', 'http://127.0.0.1:3000/u'];
    const err = await cli(dir, ...args).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/loopback address \(allow it with IMBACHAT_HOST_ALLOWLIST\)/);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'cli.ts'), ...args], {
      env: { ...process.env, IMBACHAT_DATA_DIR: dir, INIT_CWD: dir, IMBACHAT_HOST_ALLOWLIST: '127.0.0.0/8' },
    });
    expect(JSON.parse(stdout).users_info_url).toBe('http://127.0.0.1:3000/u');
  });
});
