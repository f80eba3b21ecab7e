// The strip under the header that says, in plain words, why the chat is not live right now.
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { fatalText } from '../fatal.ts';

export function Banner({ chat }: { chat: Chat }) {
  const fatal = chat.session.fatal.value;
  if (fatal)
    return (
      <div class="banner error" role="alert">
        {fatalText(fatal)}
      </div>
    );
  // "Connecting…" once the first try failed or a working link dropped, not on every page load.
  if (chat.session.link.value === 'connecting' && chat.session.retrying.value)
    return (
      <div class="banner" role="status">
        <span class="spinner" aria-hidden="true" />
        {t('connecting')}
      </div>
    );
  return null;
}
