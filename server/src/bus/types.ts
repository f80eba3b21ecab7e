// The event-bus interface: how a committed change reaches the nodes whose connections need it.
// In-process by default (memory.ts); a Redis implementation carries the same messages between
// nodes. Topics name one user of one widget (userTopic): a node subscribes to the users it holds
// connections for, and a publisher addresses the members of a dialog.
//
// Promise: at most once. A message published after a subscription is in place reaches its
// handler at most once; messages from one publisher to one topic arrive in publish order.
// Nothing is stored: a message published while a node is not subscribed, or lost while a
// subscription was broken (reported through onGap), is gone. The event log covers that: every
// durable event is in the store before it is published, and a connection that may have missed
// something reads the log from its last position (resume), so no acknowledged event is lost.
// Limits: memory.ts reaches only the connections of its own process (one node).

/** A message.new whose arrival at a recipient's connection moves their delivered position. */
export interface Receipt {
  dialogId: number;
  seq: number;
  senderId: string;
}

export interface BusMessage {
  /** The frame, serialised once for every recipient (a stream frame includes its event_id). */
  frame: string;
  /** The event's position in its widget's log; absent for ephemeral frames (typing, presence). */
  eventId?: number;
  receipt?: Receipt;
  /**
   * When the event was accepted (its created_at, ms, by the server's clock): the delivery-latency
   * histogram measures from it to each recipient's socket. Set by publishEvent.
   */
  committedAt?: number;
}

export type BusHandler = (topic: string, message: BusMessage) => void;

export interface EventBus {
  /**
   * True when a subscriber gets the events of one widget in the order they were committed: one
   * node publishes each batch before the next commits (memory.ts). False across nodes, where one
   * node's publish can overtake another's, and where a node that dies between a commit and its
   * publish takes that publish with it: sockets then settle by reading the log now and then
   * (realtime/session.ts, `settle`), and tell their clients how far they are settled.
   */
  readonly ordered: boolean;
  /** Sends one message to every subscriber of each topic. Resolves once handed to the transport. */
  publish(topics: readonly string[], message: BusMessage): Promise<void>;
  /**
   * Delivers the topic's messages to the handler from the moment the returned promise resolves
   * until the returned function is called. One handler per topic per call; subscribe once per
   * topic and fan out locally.
   */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  /** Called when subscriptions may have missed messages (the link to the broker broke and came back). */
  onGap(listener: () => void): () => void;
  /**
   * Resolves when the bus can carry messages now (the broker answers); rejects, saying why, when
   * it cannot. Cheap enough for every readiness probe; /readyz answers 503 while it rejects.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The topic of one user's connections. */
export function userTopic(widgetId: number, userId: string): string {
  return `u:${widgetId}:${userId}`;
}
