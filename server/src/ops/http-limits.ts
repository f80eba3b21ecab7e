// The Node HTTP server's own limits, set explicitly rather than left to Node's defaults (a request
// may take 300 s to arrive by default, and timeouts are checked only every 30 s), and the deadline
// of request bodies other than uploads, which Node cannot set per route.
import type { IncomingMessage, RequestListener, ServerOptions, ServerResponse } from 'node:http';
import { errorBody } from '../errors.ts';

export interface HttpLimits {
  /** Largest request head (request line and headers); Node answers 431 beyond it. */
  maxHeaderBytes: number;
  /** The head must have arrived within this long of the connection's first byte; else 408. */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived within this long; else Node answers 408.
   *  Node has one such deadline for every route, so this is the uploads' allowance, the only large
   *  bodies; every other body has bodyTimeoutMs. */
  requestTimeoutMs: number;
  /** A request that is not an upload must have arrived whole within this long of its head; else
   *  408 request_timeout, and its connection is closed. */
  bodyTimeoutMs: number;
}

/**
 * 16 KiB of headers is eight times what the widget sends (a token is under 1 KiB). 10 s for the
 * head and 30 s for a body of at most 64 KiB are generous for a phone on a bad network and short
 * enough that slow-drip clients cannot pile up connections. An upload had the same 30 s once,
 * which cut off a 10 MB file on a phone's 2 Mbit/s uplink (40 s) with a 408: it now has 15
 * minutes, 100 MB (the largest limit a widget may set) at 114 KB/s; the upload rate limit bounds
 * how many one user can hold open.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15 * 60_000,
  bodyTimeoutMs: 30_000,
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

/** The request listener with the body deadline, and the way to stop its checks. */
export interface BodyDeadline {
  listener: RequestListener;
  stop(): void;
}

/**
 * The request listener with the deadline of bodies that are not uploads (`isUpload` tells them
 * apart by method and path, before any body is read): one that has not arrived whole within
 * bodyTimeoutMs of its head is answered 408 request_timeout and its connection closed, as Node
 * does for the whole request. A request without a body is whole with its head. The requests
 * still arriving are looked over on one timer, as Node looks over its own deadlines, so that a
 * request costs no timer or listener of its own.
 */
export function withBodyDeadline(listener: RequestListener, limits: Partial<HttpLimits>, isUpload: (req: IncomingMessage) => boolean): BodyDeadline {
  const ms = limits.bodyTimeoutMs ?? DEFAULT_HTTP_LIMITS.bodyTimeoutMs;
  /** Requests whose body was still arriving when their head came, with when it came. */
  const arriving = new Map<IncomingMessage, { res: ServerResponse; at: number }>();
  const check = setInterval(
    () => {
      const now = Date.now();
      for (const [req, { res, at }] of arriving) {
        if (req.complete || res.writableEnded || req.destroyed) arriving.delete(req);
        else if (now - at >= ms) {
          arriving.delete(req);
          refuse(res, ms);
        }
      }
    },
    Math.max(50, Math.min(1_000, Math.floor(ms / 2))),
  );
  check.unref();
  return {
    listener(req: IncomingMessage, res: ServerResponse) {
      const length = req.headers['content-length'];
      const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
      if (hasBody && !req.complete && !isUpload(req)) arriving.set(req, { res, at: Date.now() });
      listener(req, res);
    },
    stop: () => clearInterval(check),
  };
}

/** 408 request_timeout (unless an answer is already on its way), then the connection goes: what
 *  the client still sends is not read. */
function refuse(res: ServerResponse, ms: number): void {
  if (!res.headersSent) {
    const body = JSON.stringify(errorBody('request_timeout', `The request body did not arrive within ${ms / 1000} s.`));
    res.writeHead(408, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
  }
  if (res.writableFinished) res.socket?.destroy();
  else res.once('finish', () => res.socket?.destroy());
}
