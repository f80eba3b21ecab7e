// The event-bus interface: how a committed change reaches every node's connections. In-process
// by default (memory.ts); a Redis implementation carries the same events between nodes.

/** A message.new whose arrival at a recipient's connection moves their delivered position. */
export interface Receipt {
  dialogId: number;
  seq: number;
  senderId: string;
}

/**
 * One event for some users of one widget. `body` is the frame serialised once; recipients with an
 * `eventId` get it as part of their durable stream (the id is spliced in, not re-serialised).
 */
export interface BusEvent {
  widgetId: number;
  to: Array<{ userId: string; eventId?: number }>;
  body: string;
  receipt?: Receipt;
}

export interface EventBus {
  publish(event: BusEvent): Promise<void>;
  /** Listeners get every event published on any node, in publish order. Returns an unsubscribe function. */
  subscribe(listener: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}
