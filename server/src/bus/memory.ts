// The in-process event bus: a publish runs the topic's handlers synchronously, so messages keep
// their publish order and a publish after a commit is seen before the next commit's. One node only.
import type { BusHandler, BusMessage, EventBus } from './types.ts';

export function createMemoryBus(onHandlerError: (err: unknown) => void = () => {}): EventBus {
  const handlers = new Map<string, Set<BusHandler>>();
  let closed = false;
  const unsubscribe = async (topic: string, entry: BusHandler) => {
    const current = handlers.get(topic);
    if (!current?.delete(entry)) return;
    if (current.size === 0) handlers.delete(topic);
  };
  return {
    ordered: true,
    async publish(topics: readonly string[], message: BusMessage) {
      for (const topic of topics) {
        const set = handlers.get(topic);
        if (!set) continue;
        for (const handler of set) {
          try {
            handler(topic, message);
          } catch (err) {
            onHandlerError(err);
          }
        }
      }
    },
    async subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      // A wrapper, so the same handler subscribed twice is two subscriptions; the common case
      // (a handler subscribed once to a topic) keeps no closure of its own.
      const entry: BusHandler = set.has(handler) ? (t, m) => handler(t, m) : handler;
      set.add(entry);
      return () => unsubscribe(topic, entry);
    },
    onGap() {
      // Nothing is ever lost in process.
      return () => {};
    },
    async ping() {
      if (closed) throw new Error('the in-process bus is closed');
    },
    async close() {
      closed = true;
      handlers.clear();
    },
  };
}
