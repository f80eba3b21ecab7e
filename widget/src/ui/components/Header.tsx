// The bar on top of the panel: optional back button, a title, extra buttons, and the close button.
import type { ComponentChildren } from 'preact';
import { t } from '../../i18n/index.ts';
import type { Chat } from '../../state/chat.ts';
import { BackIcon, CloseIcon } from '../icons.tsx';

/** `back`: to the list, or a step back (with its own label) when it is a function. */
export function Header(props: { chat: Chat; onClose(): void; back?: boolean | (() => void); backLabel?: string; title: ComponentChildren; actions?: ComponentChildren }) {
  const back = props.back;
  return (
    <header class={`head${back ? ' with-back' : ''}`}>
      {back && (
        <button type="button" class="icon-btn" aria-label={props.backLabel ?? t('back')} onClick={typeof back === 'function' ? back : () => props.chat.showList()}>
          <BackIcon />
        </button>
      )}
      {props.title}
      {props.actions}
      <button type="button" class="icon-btn" aria-label={t('close')} onClick={props.onClose}>
        <CloseIcon />
      </button>
    </header>
  );
}
