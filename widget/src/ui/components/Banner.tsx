// The strip under the header that says, in plain words, why the chat is not live right now.
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import type { FatalCode } from '../../state/session.ts';
import type { MessageKey } from '../../i18n/en.ts';

const fatalText: Record<FatalCode, MessageKey> = {
  token_expired: 'sessionExpired',
  token_invalid: 'tokenInvalid',
  widget_not_found: 'widgetNotFound',
  origin_not_allowed: 'originNotAllowed',
};

export function Banner({ chat }: { chat: Chat }) {
  const fatal = chat.session.fatal.value;
  if (fatal)
    return (
      <div class="banner error" role="alert">
        {t(fatalText[fatal])}
      </div>
    );
  if (chat.session.showConnecting.value)
    return (
      <div class="banner" role="status">
        <span class="spinner" aria-hidden="true" />
        {t('connecting')}
      </div>
    );
  return null;
}
