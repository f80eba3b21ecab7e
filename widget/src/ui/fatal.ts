// What each stop of the chat is called in the person's language (banner and launcher).
import { hasText, t } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import type { FatalCode } from '../state/session.ts';

const keys: Record<FatalCode, MessageKey> = {
  token_expired: 'sessionExpired',
  token_invalid: 'tokenInvalid',
  widget_not_found: 'widgetNotFound',
  origin_not_allowed: 'originNotAllowed',
  user_not_found: 'userUnknown',
  user_switched: 'userSwitched',
  too_many_connections: 'tooManyConnections',
};

/** Null while the text is not in yet (English ones come with the panel's code, i18n/en-stops.ts). */
export const fatalText = (fatal: FatalCode): string | null => (hasText(keys[fatal]) ? t(keys[fatal]) : null);
