// The bar on top of the panel: optional back button, a title, and the close button.
import type { ComponentChildren } from 'preact';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { BackIcon, CloseIcon } from '../icons.tsx';

export function Header(props: { chat: Chat; onClose(): void; back?: boolean; title: ComponentChildren }) {
  return (
    <header class={`head${props.back ? ' with-back' : ''}`}>
      {props.back && (
        <button type="button" class="icon-btn" aria-label={t('back')} onClick={() => props.chat.showList()}>
          <BackIcon />
        </button>
      )}
      {props.title}
      <button type="button" class="icon-btn" aria-label={t('close')} onClick={props.onClose}>
        <CloseIcon />
      </button>
    </header>
  );
}
