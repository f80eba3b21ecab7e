// Turns request bodies, queries and path ids into typed values, or a 400 that names what was wrong.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { z } from 'zod';
import { describeIssues } from '../config.ts';
import { AppError } from '../errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

function tooLarge(): AppError {
  return new AppError('payload_too_large', 413, `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
}

/**
 * The request body as text, at most MAX_BODY_BYTES, refused with 413 as soon as it is known to be
 * larger (from Content-Length, or while reading). On Node it is read straight from the socket's
 * request stream: building a web Request for it costs more than the rest of a send.
 */
async function bodyText(c: Context): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge();
    return text;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving a plain `for await` early destroys the stream, and with it the keep-alive
  // connection: the 413 arrived, but the client's next request on it hung, then was reset.
  for await (const chunk of incoming.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      incoming.resume(); // drain the rest unread, so the answer can be written and the connection reused
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await bodyText(c);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 400, 'The request body is not valid JSON.');
  }
  return check(schema, body, 'body');
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return check(schema, c.req.query(), 'query');
}

export function check<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('validation_failed', 400, `Invalid ${where}: ${describeIssues(parsed.error)}.`);
  return parsed.data;
}

/** A positive integer path parameter such as a dialog id. */
export function idParam(c: Context, name: string): number {
  const raw = c.req.param(name) ?? '';
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new AppError('validation_failed', 400, `${name} must be a positive integer.`);
  }
  return Number(raw);
}
