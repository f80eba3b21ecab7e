// The panel (loaded on first open, with Preact): the dialog list or one dialog, "New chat" and a
// group's info (the groups chunk's, ui/lazy-groups.tsx), and keyboard handling. renderPanel puts
// it into the slot the launcher's shell keeps for it.
// Installs the Preact integration of signals: components re-render when a signal they read changes.
import '@preact/signals';
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import '../i18n/english.ts';
import { t } from '../i18n/index.ts';
import { dialogName } from '../state/gist.ts';
import type { AppModel } from './model.ts';
import { DialogList } from './components/DialogList.tsx';
import { DialogView } from './components/DialogView.tsx';
import { Header } from './components/Header.tsx';
import { Banner } from './components/Banner.tsx';
import type { Chat } from '../state/chat.ts';
import panelCss from './styles/panel.css?inline';
import { GroupsScreen, WaitState, groupsStage } from './lazy-groups.tsx';
import { addStyles } from './sheets.ts';

// Before the panel first renders, so it never shows unstyled.
addStyles(panelCss);

export interface PanelProps {
  chat: Chat;
  /** Closes the panel and gives focus back to the launcher. */
  onClose(): void;
}

/** Renders the panel into `slot`, and makes Escape close it from anywhere in `root` (the widget,
 *  the launcher included) unless a part of the panel took the key (a menu, the image viewer).
 *  Returns the way to take both away again. */
export function renderPanel(slot: HTMLElement, root: HTMLElement, app: AppModel, onClose: () => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && app.chat.peek()?.view.open.peek() && !e.defaultPrevented) {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };
  root.addEventListener('keydown', onKey);
  render(<PanelHost app={app} onClose={onClose} />, slot);
  return () => {
    root.removeEventListener('keydown', onKey);
    render(null, slot);
  };
}

/** The open panel of the current chat (a user switch remounts it whole), once the chat's
 *  conversations part is in (the launcher's shell shows the wait for it). */
function PanelHost({ app, onClose }: { app: AppModel; onClose(): void }) {
  const chat = app.chat.value;
  if (!chat || !chat.view.open.value || !chat.loaded.value) return null;
  return <Panel key={chat.session.userId} chat={chat} onClose={onClose} />;
}

export function Panel({ chat, onClose }: PanelProps) {
  const ref = useRef<HTMLElement>(null);
  const view = chat.view.view.value;
  // The landmark is named after what it shows: the list, or the open conversation.
  const open = view.kind === 'dialog' || view.kind === 'group' ? chat.dialogs.byId(view.id) : undefined;
  const label = view.kind === 'new' ? t('newChat') : open ? dialogName(open, chat.session.userId) || t('chats') : t('chats');

  // Focus moves into the panel when it opens, and to the natural place when the view changes.
  const viewKey = view.kind === 'dialog' || view.kind === 'group' ? `${view.kind}${view.id}` : view.kind;
  // "New chat" and a group's info are the groups chunk's: they may arrive after their view opened.
  const stage = view.kind === 'new' || view.kind === 'group' ? groupsStage() : '';
  const focused = useRef('');
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // The same view, its screen just arrived (or could not): the focus moves on into it, unless the
    // person has moved it themselves meanwhile.
    const again = focused.current === viewKey;
    focused.current = viewKey;
    const active = (el.getRootNode() as ShadowRoot | Document).activeElement;
    if (again && active && el.contains(active) && active.tagName !== 'H2') return;
    // Reopened as it was on the previous page: the page being loaded keeps its focus.
    if (chat.view.restored.peek()) return void (chat.view.restored.value = false);
    const target =
      el.querySelector<HTMLElement>('textarea:not([disabled])') ??
      el.querySelector<HTMLElement>('[data-autofocus]') ??
      el.querySelector<HTMLElement>('.dialog-item') ??
      el.querySelector<HTMLElement>('h2');
    target?.focus();
  }, [viewKey, stage]);

  return (
    <section ref={ref} class="panel" role="dialog" aria-label={label}>
      {view.kind === 'list' && <DialogList chat={chat} onClose={onClose} />}
      {view.kind === 'dialog' && <DialogView key={view.id} chat={chat} dialogId={view.id} onClose={onClose} />}
      {view.kind === 'new' && <GroupsScreen chat={chat} onClose={onClose} back title={t('newChat')} render={(g) => <g.NewChat chat={chat} />} />}
      {view.kind === 'group' && (
        <GroupsScreen
          key={view.id}
          chat={chat}
          onClose={onClose}
          back={() => chat.full().showDialog(view.id)}
          backLabel={t('backToChat')}
          title={t('groupInfo')}
          render={(g) => <g.GroupInfo chat={chat} dialogId={view.id} />}
        />
      )}
      {view.kind === 'opening' && (
        <>
          <Header chat={chat} onClose={onClose} back title={<span class="title">{t('chats')}</span>} />
          <Banner chat={chat} />
          <div class="body">
            <WaitState text={t('opening')} />
          </div>
        </>
      )}
    </section>
  );
}
