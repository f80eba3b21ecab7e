// Short-lived state shared by the nodes: who is online, who is typing where. In process by default
// (memory.ts); a Redis implementation shares it between nodes. Both are TTL-based: an entry lives
// until it is removed or its time runs out, so a node that dies leaves nothing behind for long.

/**
 * Who is online: a user is online while at least one of their connections is registered
 * anywhere, and for `graceMs` after the last one goes (a reload does not flicker).
 *
 * Promise: `connect` answers true exactly when the user was offline (not online, not within the
 * grace period); `onOffline` listeners run once per node that registered the user's last
 * connection, after the grace period passed without a new one. A connection's registration
 * lasts `ttlMs` unless its node calls `refresh` (the in-process store's never expire: they end
 * with the process).
 * Limits: memory.ts knows only this process's connections (one node).
 */
export interface PresenceStore {
  connect(widgetId: number, userId: string, connectionId: string): Promise<boolean>;
  disconnect(widgetId: number, userId: string, connectionId: string): Promise<void>;
  /** The users among `userIds` who are online (the grace period counts as online). */
  onlineAmong(widgetId: number, userIds: readonly string[]): Promise<Set<string>>;
  /** Keeps this node's registrations alive; called periodically by the server. */
  refresh(): Promise<void>;
  onOffline(listener: (widgetId: number, userId: string) => void): () => void;
  /** Ends every grace period now (shutdown), running the offline listeners. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Who is typing where. Promise: `start` answers true when the user was not typing in the dialog
 * (a refresh answers false and extends the time); `stop` answers true when they were; an entry
 * not refreshed within `ttlMs` ends by itself and its `onExpired` listeners run on the node that
 * last refreshed it.
 * Limits: memory.ts keeps entries in this process only (one node).
 */
export interface TypingStore {
  start(widgetId: number, dialogId: number, userId: string, ttlMs: number): Promise<boolean>;
  stop(widgetId: number, dialogId: number, userId: string): Promise<boolean>;
  onExpired(listener: (widgetId: number, dialogId: number, userId: string) => void): () => void;
  close(): Promise<void>;
}
