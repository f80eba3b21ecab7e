// The top of the UI: the launcher, and the panel once it is opened (its code loads on first open).
import { signal } from '@preact/signals';
import type { ComponentType } from 'preact';
import { useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { Chat } from '../state/chat.ts';
import { Launcher } from './components/Launcher.tsx';
import type { AppModel } from './model.ts';

export interface PanelProps {
  chat: Chat;
  /** Closes the panel and gives focus back to the launcher. */
  onClose(): void;
}

const panel = signal<ComponentType<PanelProps> | null>(null);
const panelFailed = signal(false);
let panelLoading = false;

function loadPanel(): void {
  if (panelLoading || panel.peek()) return;
  panelLoading = true;
  panelFailed.value = false;
  import('./Panel.tsx').then(
    (m) => (panel.value = m.Panel),
    () => {
      panelLoading = false;
      panelFailed.value = true;
    },
  );
}

export function App({ app }: { app: AppModel }) {
  const launcher = useRef<HTMLButtonElement>(null);
  const chat = app.chat.value;
  if (!chat) return null;
  const open = chat.view.open.value;
  const Panel = panel.value;
  if (open && !Panel) loadPanel();
  const onClose = () => {
    chat.closePanel();
    launcher.current?.focus();
  };
  const side = app.position.value === 'bottom-left' ? 'left' : 'right';
  // Escape closes the panel from anywhere in the widget, the launcher included.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open && !e.defaultPrevented) {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };
  return (
    <div class={`ic ${side}${open ? ' open' : ''}`} onKeyDown={onKeyDown}>
      {open &&
        (Panel ? (
          <Panel key={chat.session.userId} chat={chat} onClose={onClose} />
        ) : (
          <div class="panel panel-wait" role="dialog" aria-label={t('chats')} aria-busy="true">
            {panelFailed.value ? (
              <>
                <p>{t('loadFailed')}</p>
                <button type="button" class="btn" onClick={loadPanel}>
                  {t('tryAgain')}
                </button>
              </>
            ) : (
              <>
                <span class="spinner" aria-hidden="true" />
                <span>{t('loading')}</span>
              </>
            )}
          </div>
        ))}
      <Launcher chat={chat} buttonRef={launcher} />
    </div>
  );
}
