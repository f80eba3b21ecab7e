// Turns request bodies, queries and path ids into typed values, or a 400 that names what was wrong.
import type { Context } from 'hono';
import type { z } from 'zod';
import { describeIssues } from '../config.ts';
import { AppError } from '../errors.ts';

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
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
