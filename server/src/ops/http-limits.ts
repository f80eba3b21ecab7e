// The Node HTTP server's own limits, set explicitly rather than left to Node's defaults (a request
// may take 300 s to arrive by default, and timeouts are checked only every 30 s).
import type { ServerOptions } from 'node:http';

export interface HttpLimits {
  /** Largest request head (request line and headers); Node answers 431 beyond it. */
  maxHeaderBytes: number;
  /** The head must have arrived within this long of the connection's first byte; else 408. */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived within this long; else 408. */
  requestTimeoutMs: number;
}

/**
 * 16 KiB of headers is eight times what the widget sends (a token is under 1 KiB). 10 s for the
 * head and 30 s for a request whose body is at most 64 KiB are generous for a phone on a bad
 * network and short enough that slow-drip clients cannot pile up connections.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export function httpServerOptions(limits: Partial<HttpLimits> = {}): ServerOptions {
  const l = { ...DEFAULT_HTTP_LIMITS, ...limits };
  const requestTimeout = l.requestTimeoutMs;
  const headersTimeout = Math.min(l.headersTimeoutMs, requestTimeout);
  return {
    maxHeaderSize: l.maxHeaderBytes,
    headersTimeout,
    requestTimeout,
    // How often Node looks for connections past those timeouts (its default is 30 s).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 2))),
  };
}
