// Nodes of one deployment start together and each applies the same widgets file to the one
// PostgreSQL database: whichever creates a widget first, the others take it as existing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresStore } from '../store/postgres/index.ts';
import { type TestDatabase, createTestDatabase, postgresSuite } from '../store/postgres/test-database.ts';
import type { Store } from '../store/types.ts';
import { applyWidgetConfig } from './service.ts';

await postgresSuite('the widgets file applied by several nodes at once', () => {
  let db: TestDatabase;
  const stores: Store[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 3; i++) stores.push(await openPostgresStore(db.url));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await db?.drop();
  });

  it('three nodes applying the same widgets file at the same moment all start, and the widget exists once', async () => {
    const widget = {
      dev_id: 'shop',
      name: 'Shop',
      secret_key: 'k'.repeat(40),
      api_login: 'chat',
      api_password: 'pw',
      users_info_url: 'https://shop.example/users',
      allowed_origins: [],
      admin_ids: [],
    };
    for (let round = 0; round < 5; round++) {
      const devId = `shop-${round}`;
      const results = await Promise.all(stores.map((s) => applyWidgetConfig(s, [{ ...widget, dev_id: devId }], Date.now())));
      expect(results.flatMap((r) => r.created)).toEqual([devId]);
      expect(await stores[0]!.getWidgetByDevId(devId)).toMatchObject({ devId, name: 'Shop' });
    }
  });
});
