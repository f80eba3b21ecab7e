// What every HTTP answer carries and every request is known by: its request id (X-Request-Id,
// echoed or generated), the security headers, a debug access line, and the count of requests in
// flight that a graceful shutdown waits for.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { errorBody } from '../errors.ts';
import { countResponse, observeSend } from '../ops/metrics.ts';

export type RequestEnv = { Variables: { requestId: string } };

/**
 * A request id from the client (a proxy's, a test's) is kept when it is short and plain, so the
 * lines of one request can be followed across hops; anything else could forge or flood log lines.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,64}$/;
const SEND_PATH = /^\/api\/v1\/[^/]+\/dialogs\/[^/]+\/messages\/?$/;

export function requestIdOf(header: string | undefined): string {
  return header !== undefined && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Headers for every answer. nosniff: a JSON error echoing input can never be run as a script.
 * no-referrer: API URLs hold dev_ids and dialog ids. The CSP applies to documents only, so it
 * does nothing to the widget script (which runs under the host page's policy) and forbids
 * everything to an API answer opened as a page. Answers that set their own Cache-Control (the
 * widget loader and the hashed assets, which are cacheable by design) keep it; the rest is
 * no-store, since API answers are per-user.
 */
const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['cross-origin-opener-policy', 'same-origin'],
];

export interface InFlight {
  readonly count: number;
  /**
   * Resolves once no request is being handled (at once when none is), or after `maxWaitMs`:
   * true when idle, false when it stopped waiting (a client trickling a body cannot hold a stop).
   */
  idle(maxWaitMs: number): Promise<boolean>;
}

export interface RequestMiddleware {
  middleware: MiddlewareHandler<RequestEnv>;
  inFlight: InFlight;
}

export function requestContext(log: Logger): RequestMiddleware {
  let count = 0;
  const waiters: Array<() => void> = [];
  const done = () => {
    if (--count === 0) for (const w of waiters.splice(0)) w();
  };
  const middleware: MiddlewareHandler<RequestEnv> = async (c, next) => {
    const started = performance.now();
    const requestId = requestIdOf(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    count++;
    try {
      await next();
    } finally {
      done();
    }
    // Set on the finished answer's headers directly: the Node adapter keeps them without building
    // a full Response, whereas c.header() after the fact would rebuild it.
    const h = c.res.headers;
    for (const [name, value] of SECURITY_HEADERS) if (!h.has(name)) h.set(name, value);
    if (!h.has('cache-control')) h.set('cache-control', 'no-store');
    h.set('x-request-id', requestId);
    const status = c.res.status;
    countResponse(status);
    if (c.req.method === 'POST' && status < 300 && SEND_PATH.test(c.req.path)) observeSend((performance.now() - started) / 1000, status === 201);
    if (log.isLevelEnabled('debug')) {
      // Path only: query strings may carry cursors, and nothing here needs the body or headers.
      log.debug({ request_id: requestId, method: c.req.method, path: c.req.path, status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
  return {
    middleware,
    inFlight: {
      get count() {
        return count;
      },
      idle(maxWaitMs) {
        if (count === 0) return Promise.resolve(true);
        return new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), maxWaitMs);
          waiters.push(() => {
            clearTimeout(timer);
            resolve(true);
          });
        });
      },
    },
  };
}

/**
 * The answer to a request the HTTP adapter cannot even turn into a URL (a backslash in the path,
 * the `*` target, a Host with a space): it never reaches the app, so it gets here what the app
 * gives every answer (the error body, the security headers, a request id) instead of the
 * adapter's bare, empty 400. Anything else the adapter catches is the app failing, which Hono's
 * onError already answers; should it ever get here, it is a 500 like any other.
 */
export function adapterError(err: unknown): Response {
  const unreadable = err instanceof Error && err.name === 'RequestError';
  const status = unreadable ? 400 : 500;
  const body = unreadable
    ? errorBody('bad_request', 'The request line or Host header cannot be read as a URL.')
    : errorBody('internal_error', 'Something went wrong on our side.');
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store', 'x-request-id': randomUUID() });
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
  countResponse(status);
  return new Response(JSON.stringify(body), { status, headers });
}
