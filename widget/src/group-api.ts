// Checks what the host page passes to imbaApi's group calls and explains mistakes in the console,
// as api.ts does for the rest. It loads with the conversations part (the calls need it anyway),
// so the launcher's startup code does not grow.
import { MAX_GROUP_MEMBERS, MAX_GROUP_TITLE_CHARS } from '@imbachat/server/protocol';
import { USER_ID_RULE, normalizeUserId, report } from './api.ts';
import { describe } from './describe.ts';

export interface GroupInput {
  title: string;
  user_ids: string[];
}

/** A refusal of the page API: rejected promises carry a `code`, as the server's errors do. */
export class PageApiError extends Error {
  readonly code = 'validation_failed';
}

const refuse = (message: string): Promise<never> => {
  report(message);
  return Promise.reject(new PageApiError(message));
};

/** imbaApi.openGroup(dialogId): a positive integer, or its decimal string ("12"). */
export function checkDialogId(value: unknown): Promise<number> {
  const n = typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0
    ? Promise.resolve(n)
    : refuse(`imbaApi.openGroup: the dialog id must be a positive integer (got ${describe(value)}).`);
}

/** imbaApi.createGroup({ title, user_ids }), or with `room` addToRoom({ title, users_ids }): the
 *  group to create, or a rejection that says why. */
export function checkGroup(input: unknown, room = false): Promise<GroupInput> {
  const call = room ? 'imbaApi.addToRoom' : 'imbaApi.createGroup';
  if (typeof input !== 'object' || input === null) return refuse(`${call}(options) needs an object: { title, user_ids }.`);
  const o = input as Record<string, unknown>;
  const title = typeof o.title === 'string' ? o.title.trim() : '';
  if (title === '' || [...title].length > MAX_GROUP_TITLE_CHARS)
    return refuse(`${call}: "title" must be a text of 1–${MAX_GROUP_TITLE_CHARS} characters (got ${describe(o.title)}).`);
  const key = room ? 'users_ids' : 'user_ids';
  const list = o[key];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_GROUP_MEMBERS)
    return refuse(`${call}: "${key}" must list 1–${MAX_GROUP_MEMBERS} members (got ${Array.isArray(list) ? list.length : describe(list)}).`);
  const ids: string[] = [];
  for (const entry of list) {
    // The ImbaChat plugins list members as { user_id }; plain ids are taken too.
    const raw = typeof entry === 'object' && entry !== null ? (entry as { user_id?: unknown }).user_id : entry;
    const id = normalizeUserId(raw);
    if (id === null) return refuse(`${call}: every member's user id must be ${USER_ID_RULE} (got ${describe(raw)}).`);
    ids.push(id);
  }
  return Promise.resolve({ title, user_ids: [...new Set(ids)] });
}
