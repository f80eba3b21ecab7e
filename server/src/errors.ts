// One error type for everything a client did wrong, and the single handler that shapes replies.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { ErrorBody, ErrorCode } from './realtime/protocol.ts';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: ContentfulStatusCode,
    message: string,
    /**
     * `retryAfterMs`: when the same request may succeed again; REST answers it as Retry-After (whole
     * seconds, rounded up). `cause`: what went wrong underneath, for the log (never for the client).
     */
    readonly options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * The client went away mid-request (closed the tab, aborted the upload, reset the connection).
 * Its own doing and nobody is left to answer: worth a debug line, never an error with a stack
 * (one client aborting in a loop once wrote one error-level "aborted" line with a stack per abort).
 */
export function isClientAbort(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLIENT_ABORT_CODES.has(code);
}
const CLIENT_ABORT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

let requestCounter = 0;

/** The request id set by the request middleware (http/request.ts), or a fresh one for an app without it. */
function requestIdOf(c: Context): string {
  return (c.get('requestId') as string | undefined) ?? `${Date.now().toString(36)}-${(++requestCounter).toString(36)}`;
}

export function createErrorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      if (err.options.retryAfterMs !== undefined) {
        c.header('Retry-After', String(Math.max(1, Math.ceil(err.options.retryAfterMs / 1000))));
        // Cross-origin pages can read only the headers they are shown; the widget needs this one.
        c.header('Access-Control-Expose-Headers', 'Retry-After');
      }
      return c.json(errorBody(err.code, err.message), err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody('bad_request', err.message || 'Bad request.'), err.status);
    }
    const requestId = requestIdOf(c);
    if (isClientAbort(err)) {
      log.debug({ request_id: requestId, method: c.req.method, path: c.req.path, reason: String(err.message) }, 'client went away mid-request');
      return c.json(errorBody('bad_request', 'The request was not received in full.'), 400);
    }
    log.error({ err, request_id: requestId, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(
      errorBody('internal_error', `Something went wrong on our side (request ${requestId}).`),
      500,
    );
  };
}
