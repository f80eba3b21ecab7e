// The panel (loaded on first open): the dialog list or one dialog, and keyboard handling.
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { dialogName } from '../state/dialogs.ts';
import type { PanelProps } from './App.tsx';
import { DialogList } from './components/DialogList.tsx';
import { DialogView } from './components/DialogView.tsx';
import { Header } from './components/Header.tsx';
import { Banner } from './components/Banner.tsx';
import panelCss from './styles/panel.css?inline';
import { addStyles } from './sheets.ts';

// Before the panel first renders, so it never shows unstyled.
addStyles(panelCss);

export function Panel({ chat, onClose }: PanelProps) {
  const ref = useRef<HTMLElement>(null);
  const view = chat.view.view.value;
  // The landmark is named after what it shows: the list, or the open conversation.
  const open = view.kind === 'dialog' ? chat.dialogs.byId(view.id) : undefined;
  const label = open ? dialogName(open, chat.session.userId) || t('chats') : t('chats');

  // Focus moves into the panel when it opens, and to the natural place when the view changes.
  const viewKey = view.kind === 'dialog' ? `d${view.id}` : view.kind;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Reopened as it was on the previous page: the page being loaded keeps its focus.
    if (chat.view.restored.peek()) return void (chat.view.restored.value = false);
    const target =
      el.querySelector<HTMLElement>('textarea:not([disabled])') ??
      el.querySelector<HTMLElement>('[data-autofocus]') ??
      el.querySelector<HTMLElement>('.dialog-item') ??
      el.querySelector<HTMLElement>('.title');
    target?.focus();
  }, [viewKey]);

  return (
    <section ref={ref} class="panel" role="dialog" aria-label={label}>
      {view.kind === 'list' && <DialogList chat={chat} onClose={onClose} />}
      {view.kind === 'dialog' && <DialogView key={view.id} chat={chat} dialogId={view.id} onClose={onClose} />}
      {view.kind === 'opening' && (
        <>
          <Header chat={chat} onClose={onClose} back title={<span class="title">{t('chats')}</span>} />
          <Banner chat={chat} />
          <div class="body">
            <div class="state" role="status">
              <span class="spinner" aria-hidden="true" />
              <span>{t('opening')}</span>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
