// The WebSocket close codes and the rule that reads them. A leaf of their own, re-exported by
// protocol.ts: the widget's startup chunk needs them and nothing else of the protocol, and a
// bundler places a module whole, so the user-id rule, limits and texts stay out of it.

/**
 * WebSocket close codes. 4000–4499: the client may reconnect (after fixing what the reason says);
 * 4500–4999: it must not reconnect automatically.
 */
export const CloseCode = {
  /** The server is restarting or draining; reconnect with backoff. */
  SERVER_RESTART: 4000,
  /** The auth frame was refused; the reason is an ErrorCode such as token_expired. Reconnect with a new token. */
  AUTH_FAILED: 4001,
  /** No auth frame arrived in time. */
  AUTH_TIMEOUT: 4002,
  /** The first frame was not an auth frame, or a second auth frame arrived. */
  PROTOCOL_ERROR: 4003,
  /** The socket could not keep up with its events; reconnect and catch up over REST. */
  SLOW_CONSUMER: 4004,
  /**
   * More than MAX_BAD_FRAMES frames were malformed or unknown: reconnect with backoff. A
   * reconnect code, so a widget newer than the server (sending a frame it does not know yet)
   * keeps working; each socket still gets only a few error frames.
   */
  TOO_MANY_BAD_FRAMES: 4005,
  /**
   * Too many connections from this user or this network address in a short time (the HTTP
   * status 429, hence the number). An error frame with `retry_after_ms` comes just before it:
   * reconnect no sooner than that, with backoff.
   */
  RATE_LIMITED: 4429,
  /** The dev_id in the URL names no widget. */
  WIDGET_NOT_FOUND: 4500,
  /** The page's origin is not in the widget's allowed origins. */
  ORIGIN_NOT_ALLOWED: 4503,
  /** The host's users-info answer leaves out the token's user: the site does not know them. */
  USER_NOT_FOUND: 4504,
  /**
   * The user opened more than MAX_SOCKETS_PER_USER sockets on one server: the oldest is closed
   * with this code. Not a reconnect code, or the closed tab would come back and close another.
   */
  TOO_MANY_CONNECTIONS: 4505,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export function shouldReconnect(code: number): boolean {
  return code < 4500 || code > 4999;
}
