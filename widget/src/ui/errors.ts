// What a failed group action says to the person, in their language, by the server's error code.
import { t } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ApiError } from '../transport/rest.ts';

const keys: Record<string, MessageKey> = {
  not_allowed: 'notAllowed',
  group_too_large: 'groupTooLarge',
  user_not_found: 'userNotFound',
  dialog_not_found: 'chatNotFound',
  network: 'networkError',
};

export function errorText(err: unknown): string {
  return t(keys[err instanceof ApiError ? err.code : 'network'] ?? 'genericError');
}
