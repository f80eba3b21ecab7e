// The round button that opens and closes the panel, with the unread badge (or a "!" when the chat
// has stopped, described in words for screen readers).
import type { RefObject } from 'preact';
import { plural, t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { fatalText } from '../fatal.ts';
import { ChatIcon, CloseIcon } from '../icons.tsx';

export function Launcher({ chat, buttonRef }: { chat: Chat; buttonRef: RefObject<HTMLButtonElement> }) {
  const open = chat.view.open.value;
  const unread = chat.dialogs.unreadTotal.value;
  const fatal = chat.session.fatal.value;
  const note = fatal ? fatalText(fatal) : unread > 0 ? plural('newMessages', unread) : null;
  return (
    <button
      ref={buttonRef}
      type="button"
      class="launcher"
      aria-label={open ? t('closeChat') : t('openChat')}
      aria-expanded={open}
      aria-describedby={note ? 'ic-note' : undefined}
      onClick={() => (open ? chat.closePanel() : chat.openPanel())}
    >
      {open ? <CloseIcon /> : <ChatIcon />}
      {note && (
        <>
          <span class="badge" aria-hidden="true">
            {fatal ? '!' : unread > 99 ? '99+' : unread}
          </span>
          <span id="ic-note" class="sr-only">
            {note}
          </span>
        </>
      )}
    </button>
  );
}
