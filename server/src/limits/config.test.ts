// A widget's rate_limits in the widgets file: validated with errors that name the entry, stored,
// shown to operators, and taken away when removed from the file. And IMBACHAT_TRUSTED_PROXIES.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { applyWidgetConfig, publicWidget } from '../widgets/service.ts';

const dir = mkdtempSync(join(tmpdir(), 'imbachat-limits-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const widget = {
  dev_id: 'shop',
  name: 'Shop',
  secret_key: 'k'.repeat(32),
  users_info_url: 'https://shop.example/chat/users',
};
let files = 0;
function load(widgets: unknown[], env: Record<string, string> = {}) {
  const file = join(dir, `imbachat-${++files}.json`);
  writeFileSync(file, JSON.stringify({ widgets }));
  return loadConfig({ IMBACHAT_CONFIG: file, IMBACHAT_DATA_DIR: dir, ...env });
}

describe('rate_limits in the widgets file', () => {
  it('is applied to the widget, shown in the wire form, and removing it goes back to the defaults', async () => {
    const store = openSqliteStore(join(dir, 'db.sqlite'));
    try {
      const limits = { send: { user: { burst: 10, per_second: 1 } }, connect: { ip: { burst: 1000, per_second: 50 } } };
      const first = load([{ ...widget, rate_limits: limits }]);
      expect(await applyWidgetConfig(store, first.widgets, 1)).toEqual({ created: ['shop'], updated: [] });
      const row = (await store.getWidgetByDevId('shop'))!;
      expect(row.rateLimits).toEqual({ send: { user: { burst: 10, perSecond: 1 } }, connect: { ip: { burst: 1000, perSecond: 50 } } });
      expect(publicWidget(row).rate_limits).toEqual(limits);
      expect(await applyWidgetConfig(store, load([{ ...widget, rate_limits: limits }]).widgets, 2)).toEqual({ created: [], updated: [] });
      expect(await applyWidgetConfig(store, load([widget]).widgets, 3)).toEqual({ created: [], updated: ['shop'] });
      const after = (await store.getWidgetByDevId('shop'))!;
      expect(after.rateLimits).toBeNull();
      expect(publicWidget(after)).not.toHaveProperty('rate_limits');
    } finally {
      await store.close();
    }
  });

  it('refuses a malformed entry with a message that names it', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ sned: {} }, /widgets\.0\.rate_limits: unknown action "sned"; rate_limits must be an object with any of the keys send, open_dialog/],
      [{ send: { user: { burst: 0, per_second: 1 } } }, /widgets\.0\.rate_limits\.send\.user\.burst: burst must be at least 1/],
      [{ send: { user: { burst: 2.5, per_second: 1 } } }, /widgets\.0\.rate_limits\.send\.user\.burst: burst must be a whole number/],
      [{ typing: { ip: { burst: 5, per_second: 0 } } }, /widgets\.0\.rate_limits\.typing\.ip\.per_second: per_second must be at least 0\.001/],
      [{ read: { ip: { burst: 5 } } }, /widgets\.0\.rate_limits\.read\.ip\.per_second: per_second must be a number/],
      [{ read: { everyone: { burst: 5, per_second: 1 } } }, /widgets\.0\.rate_limits\.read: unknown scope "everyone"; an action's limits are \{"user": <bucket>, "ip": <bucket>\}/],
      [{ upload: { user: { burst: '5', per_second: 1 } } }, /widgets\.0\.rate_limits\.upload\.user\.burst: burst must be a number/],
      [{ send: { user: { burst: 5, per_second: 1, rate: 2 } } }, /widgets\.0\.rate_limits\.send\.user: unknown field "rate"; a bucket is/],
      ['fast', /widgets\.0\.rate_limits: rate_limits must be an object with any of the keys send, open_dialog, typing, read, connect, upload/],
    ];
    for (const [rate_limits, message] of cases) expect(() => load([{ ...widget, rate_limits }])).toThrow(message);
  });
});

describe('IMBACHAT_TRUSTED_PROXIES', () => {
  it('is parsed into ranges, and a wrong entry is a clear configuration error', () => {
    expect(loadConfig({ IMBACHAT_DATA_DIR: dir }).trustedProxies).toEqual([]);
    expect(loadConfig({ IMBACHAT_DATA_DIR: dir, IMBACHAT_TRUSTED_PROXIES: '10.0.0.0/8,::1' }).trustedProxies).toHaveLength(2);
    expect(() => loadConfig({ IMBACHAT_DATA_DIR: dir, IMBACHAT_TRUSTED_PROXIES: '10.0.0.0/8,proxy.internal' })).toThrow(
      /Invalid environment: IMBACHAT_TRUSTED_PROXIES: "proxy.internal" is not an IP address or CIDR range/,
    );
  });
});
