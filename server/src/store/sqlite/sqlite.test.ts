// Runs the Store contract against the SQLite store: a temp file per test group, and a second
// connection to the same file as the second node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../contract.ts';
import type { Store } from '../types.ts';
import { openSqliteStore } from './index.ts';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imbachat-store-'));
  const file = join(dir, 'store.sqlite');
  const stillOpen = new Set<Store>();
  // The suite closes some stores itself (durability), so cleanup closes only the others.
  const connect = async (): Promise<Store> => {
    const store = await openSqliteStore(file);
    const tracked: Store = Object.assign(Object.create(store) as Store, {
      close: async () => {
        if (!stillOpen.delete(tracked)) return;
        await store.close();
      },
    });
    stillOpen.add(tracked);
    return tracked;
  };
  return {
    store: await connect(),
    reopen: connect,
    cleanup: async () => {
      for (const store of [...stillOpen]) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
