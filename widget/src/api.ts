// Checks what the host page passes to ImbaChat.load and imbaApi, and explains mistakes in the console.
import { USER_ID_RULE, normalizeUserId } from '@imbachat/server/protocol';
import { describe } from './describe.ts';
import { isToken, report } from './report.ts';

export type Position = 'bottom-right' | 'bottom-left';

/** Options after validation; user_id is always a string. */
export interface LoadOptions {
  user_id: string;
  token: string;
  getToken?: () => string | Promise<string>;
  lang?: string;
  position: Position;
  open: boolean;
  /** Show the unread count in the page title while the tab is hidden. */
  titleBadge: boolean;
  /** Play a short sound on new messages (the person can still mute it in the widget). */
  sound: boolean;
  /** Offer browser notifications (asked for only when the person clicks the control). */
  notifications: boolean;
}

/** A host user id, by the server's one rule: refused unless canonical, never trimmed. */
export { USER_ID_RULE, normalizeUserId };
export { report };

/** Returns the options to use, or null (after logging why) when they cannot work. */
export function validateLoadOptions(input: unknown): LoadOptions | null {
  if (typeof input !== 'object' || input === null) {
    report('ImbaChat.load(options) needs an object: { user_id, token }.');
    return null;
  }
  const o = input as Record<string, unknown>;
  const userId = normalizeUserId(o.user_id);
  if (userId === null) {
    report(`ImbaChat.load: "user_id" must be ${USER_ID_RULE} (got ${describe(o.user_id)}).`);
    return null;
  }
  if (!isToken(o.token)) {
    report('ImbaChat.load: "token" must be the JWT your backend signed for this user (header.payload.signature).');
    return null;
  }
  const options: LoadOptions = {
    user_id: userId,
    token: o.token.trim(),
    position: 'bottom-right',
    open: false,
    titleBadge: true,
    sound: true,
    notifications: true,
  };
  if (o.getToken !== undefined) {
    if (typeof o.getToken === 'function') options.getToken = o.getToken as LoadOptions['getToken'];
    else report('ImbaChat.load: "getToken" must be a function returning a token (or a promise of one); ignored.');
  }
  if (o.lang !== undefined) {
    if (typeof o.lang === 'string' && /^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/.test(o.lang)) options.lang = o.lang;
    else report(`ImbaChat.load: "lang" must be a language tag such as "en" or "ru" (got ${describe(o.lang)}); ignored.`);
  }
  if (o.position !== undefined) {
    if (o.position === 'bottom-right' || o.position === 'bottom-left') options.position = o.position;
    else report(`ImbaChat.load: "position" must be "bottom-right" or "bottom-left" (got ${describe(o.position)}); using "bottom-right".`);
  }
  if (o.open !== undefined) {
    if (typeof o.open === 'boolean') options.open = o.open;
    else report(`ImbaChat.load: "open" must be true or false (got ${describe(o.open)}); ignored.`);
  }
  for (const flag of ['titleBadge', 'sound', 'notifications'] as const) {
    const value = o[flag];
    if (value === undefined) continue;
    if (typeof value === 'boolean') options[flag] = value;
    else report(`ImbaChat.load: "${flag}" must be true or false (got ${describe(value)}); ignored.`);
  }
  return options;
}
