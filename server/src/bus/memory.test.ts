// Runs the EventBus contract against the in-process bus.
import { busContract } from './contract.ts';
import { createMemoryBus } from './memory.ts';

busContract('memory', async ({ onHandlerError }) => {
  const bus = createMemoryBus(onHandlerError);
  // close is idempotent here, so cleanup may follow a test that closed the bus itself.
  return { bus, cleanup: () => bus.close() };
});
