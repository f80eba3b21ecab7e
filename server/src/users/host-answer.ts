// One users-info request: the URL with the ids, the safe host call, and the answer read into
// users. Failures come out as HostCallError with a reason (see host/client.ts).
import { z } from 'zod';
import { type HostAllowlist } from '../host/address.ts';
import { HostCallError, hostGet } from '../host/client.ts';
import { type User, normalizeUserId } from '../realtime/protocol.ts';
import type { WidgetRow } from '../store/types.ts';

export const MAX_IDS_PER_REQUEST = 100;
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
const RESERVED = new Set(['user_id', 'name', 'avatar_url', 'profile_url']);

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s))
  .nullable()
  .catch(null);

const hostUser = z.looseObject({
  user_id: z.union([z.string(), z.number()]),
  name: z.union([z.string(), z.number()]),
  avatar_url: httpUrl.optional(),
  profile_url: httpUrl.optional(),
});

export function placeholderUser(userId: string): User {
  return { user_id: userId, name: `User ${userId}`, avatar_url: null, profile_url: null };
}

function toUser(entry: z.infer<typeof hostUser>, userId: string): User {
  const name = String(entry.name).trim().slice(0, 200) || `User ${userId}`;
  const user: User = { user_id: userId, name, avatar_url: entry.avatar_url ?? null, profile_url: entry.profile_url ?? null };
  for (const [k, v] of Object.entries(entry)) if (!RESERVED.has(k)) user[k] = v;
  return user;
}

export function basicAuth(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Whether an id may be sent to the host at all. The user-id rule already keeps such ids out of
 * tokens and bodies; this holds the line for ids from anywhere else (old rows, a future caller),
 * because one id that cannot be encoded would fail the whole batch and everyone in it.
 */
export function askable(id: string): boolean {
  return normalizeUserId(id) === id;
}

export interface AnswerResult {
  users: Map<string, User>;
  /** Entries of the answer that were not a user (no user_id or name): skipped, worth a warning. */
  invalid: number;
}

/** Asks the widget's users-info URL about `ids` (each askable) and reads the answer. */
export async function requestUsers(
  widget: WidgetRow,
  ids: string[],
  o: { timeoutMs: number; allowlist: HostAllowlist },
): Promise<AnswerResult> {
  const sep = widget.usersInfoUrl.includes('?') ? '&' : '?';
  const url = `${widget.usersInfoUrl}${sep}user_ids=${ids.map(encodeURIComponent).join(',')}`;
  const answer = await hostGet(url, {
    allowlist: o.allowlist,
    timeoutMs: o.timeoutMs,
    maxBytes: MAX_ANSWER_BYTES,
    headers: { authorization: basicAuth(widget.apiLogin, widget.apiPassword), accept: 'application/json' },
  });
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new HostCallError('invalid_answer', `the answer is not JSON (content-type ${answer.headers['content-type'] ?? 'none'})`);
  }
  if (!Array.isArray(body)) throw new HostCallError('invalid_answer', 'the answer is not a JSON array of users');
  const wanted = new Set(ids);
  const users = new Map<string, User>();
  let invalid = 0;
  for (const item of body) {
    const parsed = hostUser.safeParse(item);
    const id = parsed.success ? normalizeUserId(parsed.data.user_id) : null;
    if (!parsed.success || id === null) {
      invalid++;
      continue;
    }
    if (wanted.has(id)) users.set(id, toUser(parsed.data, id));
  }
  if (invalid > 0 && users.size === 0 && body.length > 0) {
    throw new HostCallError('invalid_answer', 'no entry of the answer has the required "user_id" and "name" fields');
  }
  return { users, invalid };
}
