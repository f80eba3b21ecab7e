// The event-bus interface: how a committed change reaches every node's connections. In-process
// by default (memory.ts); a Redis implementation carries the same events between nodes.

/** One event for some users of one widget; `frame` is the serialised server frame, built once. */
export interface BusEvent {
  widgetId: number;
  userIds: string[];
  frame: string;
}

export interface EventBus {
  publish(event: BusEvent): Promise<void>;
  /** Listeners get every event published on any node, in publish order. Returns an unsubscribe function. */
  subscribe(listener: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}
