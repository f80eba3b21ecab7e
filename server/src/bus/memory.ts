// The in-process event bus: delivery is synchronous, so events keep their publish order.
import type { BusEvent, EventBus } from './types.ts';

export function createMemoryBus(onListenerError: (err: unknown) => void = () => {}): EventBus {
  const listeners = new Set<(event: BusEvent) => void>();
  return {
    async publish(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}
