// The round button that opens and closes the panel, with the unread badge.
import type { RefObject } from 'preact';
import { plural, t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { ChatIcon, CloseIcon } from '../icons.tsx';

export function Launcher({ chat, buttonRef }: { chat: Chat; buttonRef: RefObject<HTMLButtonElement> }) {
  const open = chat.view.open.value;
  const unread = chat.dialogs.unreadTotal.value;
  return (
    <button
      ref={buttonRef}
      type="button"
      class="launcher"
      aria-label={open ? t('closeChat') : t('openChat')}
      aria-expanded={open}
      aria-describedby={unread > 0 ? 'ic-unread' : undefined}
      onClick={() => (open ? chat.closePanel() : chat.openPanel())}
    >
      {open ? <CloseIcon /> : <ChatIcon />}
      {unread > 0 && (
        <>
          <span class="badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
          <span id="ic-unread" class="sr-only">
            {plural('newMessages', unread)}
          </span>
        </>
      )}
    </button>
  );
}
