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
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

let requestCounter = 0;

export function createErrorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) return c.json(errorBody(err.code, err.message), err.status);
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody('bad_request', err.message || 'Bad request.'), err.status);
    }
    const requestId = `${Date.now().toString(36)}-${(++requestCounter).toString(36)}`;
    log.error({ err, requestId, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(
      errorBody('internal_error', `Something went wrong on our side (request ${requestId}).`),
      500,
    );
  };
}
