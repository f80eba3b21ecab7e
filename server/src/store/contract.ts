// The Store contract suite: the promises of store/types.ts that every implementation (SQLite today,
// PostgreSQL later) must keep. An implementation's test file calls storeContract once.
import { describe } from 'vitest';
import { dialogContract } from './contract/dialogs.ts';
import { durabilityContract } from './contract/durability.ts';
import { eventContract } from './contract/events.ts';
import { groupContract } from './contract/groups.ts';
import type { OpenStore } from './contract/harness.ts';
import { hostContract } from './contract/host.ts';
import { listingContract } from './contract/listing.ts';
import { raceContract } from './contract/races.ts';
import { readerContract } from './contract/readers.ts';
import { receiptContract } from './contract/receipts.ts';
import { sendContract } from './contract/sends.ts';
import { tenantContract } from './contract/tenants.ts';
import { uploadContract } from './contract/uploads.ts';
import { widgetDeletionContract } from './contract/widget-deletion.ts';
import { widgetContract } from './contract/widgets.ts';

export type { OpenStore, StoreUnderTest } from './contract/harness.ts';

/**
 * Registers the suite. `open` is called once per test group (and once more for tests that need a
 * store of their own) and must give empty, independent data each time.
 */
export function storeContract(name: string, open: OpenStore) {
  describe(`Store contract: ${name}`, () => {
    widgetContract(open);
    dialogContract(open);
    listingContract(open);
    groupContract(open);
    readerContract(open);
    sendContract(open);
    receiptContract(open);
    eventContract(open);
    tenantContract(open);
    widgetDeletionContract(open);
    hostContract(open);
    uploadContract(open);
    raceContract(open);
    durabilityContract(open);
  });
}
