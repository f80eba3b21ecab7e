// The widget cache: a request costs a map lookup, and a change made by another process (the CLI
// writing the same SQLite file) applies within the freshness window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { WidgetCache } from './tenant.ts';

const dir = mkdtempSync(join(tmpdir(), 'imbachat-widget-cache-'));
const server = openSqliteStore(join(dir, 'db.sqlite'));
const cli = openSqliteStore(join(dir, 'db.sqlite'));
afterAll(async () => {
  await server.close();
  await cli.close();
  rmSync(dir, { recursive: true, force: true });
});

it('applies a change made by another process within a second, and an unknown dev_id once it exists', async () => {
  let now = 1_000_000;
  const cache = new WidgetCache(server, () => now, 1000);
  const fields = { name: 'Shop', secretKey: 'k'.repeat(40), apiLogin: '', apiPassword: '', usersInfoUrl: 'http://127.0.0.1:1/u', allowedOrigins: [], adminIds: [] };
  await expect(cache.find('shop')).rejects.toMatchObject({ code: 'widget_not_found' });
  await cli.insertWidget({ devId: 'shop', ...fields }, now);
  await expect(cache.find('shop')).rejects.toMatchObject({ code: 'widget_not_found' }); // still within the window
  now += 1001;
  expect((await cache.find('shop')).name).toBe('Shop');
  await cli.updateWidget('shop', { name: 'Shop 2' }, now);
  expect((await cache.find('shop')).name).toBe('Shop');
  now += 1001;
  expect((await cache.find('shop')).name).toBe('Shop 2');
  await cli.updateWidget('shop', { name: 'Shop 3' }, now);
  cache.invalidate('shop');
  expect((await cache.find('shop')).name).toBe('Shop 3');
  await expect(cache.find('not a dev id!')).rejects.toMatchObject({ code: 'widget_not_found' });
});
