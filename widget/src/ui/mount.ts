// Puts the widget on the page without Preact: one custom element with an open shadow root (host
// styles stay out, ours stay in) holding the launcher, built as DOM and kept current by signal
// effects. The panel, and Preact with it, load on the first open (Panel.tsx renders into `slot`).
import { effect, signal } from '@preact/signals-core';
import { plural, t } from '../i18n/index.ts';
import type { Chat } from '../state/chat.ts';
import { fatalText } from './fatal.ts';
import type { AppModel } from './model.ts';
import baseCss from './styles/base.css?inline';
import { addStyles, styleRoot } from './sheets.ts';

export const HOST_TAG = 'imbachat-widget';

/** The panel's code (the app passes its lazy chunk). */
export type PanelCode = () => Promise<Pick<typeof import('./Panel.tsx'), 'renderPanel'>>;
type PanelModule = Awaited<ReturnType<PanelCode>>;

const SVG = 'http://www.w3.org/2000/svg';
const CHAT_ICON = 'M21 12a8 8 0 0 1-11.8 7L4 20.5l1.5-4.7A8 8 0 1 1 21 12z';
const CLOSE_ICON = 'M6 6l12 12M18 6L6 18';

export function mount(app: AppModel, panelCode: PanelCode, doc: Document = document): () => void {
  const host = doc.createElement(HOST_TAG);
  const shadow = host.attachShadow({ mode: 'open' });
  addStyles(baseCss);
  const unstyle = styleRoot(shadow);
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string) => {
    const node = doc.createElement(tag);
    if (cls) node.className = cls;
    return node;
  };
  const root = el('div');
  const slot = el('div');
  const button = el('button', 'launcher');
  button.type = 'button';
  const icon = doc.createElementNS(SVG, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  icon.setAttribute('focusable', 'false');
  const path = doc.createElementNS(SVG, 'path');
  icon.append(path);
  const badge = el('span', 'badge');
  badge.setAttribute('aria-hidden', 'true');
  const note = el('span', 'sr-only');
  note.id = 'ic-note';
  button.append(icon);
  root.append(slot, button);
  shadow.append(root);

  const chat = (): Chat | null => app.chat.peek();
  const close = () => {
    chat()?.closePanel();
    button.focus();
  };
  button.addEventListener('click', () => {
    const c = chat();
    if (c) (c.view.open.peek() ? c.closePanel() : c.openPanel());
  });

  // The panel's code: fetched when the browser is idle after the launcher shows, or on the first
  // open if that comes sooner, with the chat's conversations part. Until both are in, the
  // launcher spins; if they cannot load, it says so and the next click tries again.
  /** Takes the rendered panel away (and its Escape key, Panel.tsx), once it has rendered. */
  let panel: (() => void) | null = null;
  let code: Promise<PanelModule> | null = null;
  const state = signal<'idle' | 'loading' | 'failed'>('idle');
  const fetchPanel = () => (code ??= panelCode().catch((err: unknown) => ((code = null), Promise.reject(err))));
  const loadPanel = (c: Chat) => {
    if (state.peek() === 'loading') return;
    state.value = 'loading';
    Promise.all([fetchPanel(), c.loadFull()]).then(
      ([m]) => {
        panel ??= m.renderPanel(slot, root, app, close);
        state.value = 'idle';
      },
      () => {
        state.value = 'failed';
        c.closePanel();
      },
    );
  };

  const stops = [
    effect(() => {
      const c = app.chat.value;
      const open = c?.view.open.value ?? false;
      // The styles place the launcher and the panel by `left` (else right) and read `open`.
      root.className = `root${app.position.value === 'bottom-left' ? ' left' : ''}${open ? ' open' : ''}`;
      host.hidden = !c;
      if (c && open && (!panel || !c.loaded.value)) loadPanel(c);
    }),
    effect(() => {
      const c = app.chat.value;
      if (!c) return;
      const open = c.view.open.value;
      const unread = c.dialogs.unreadTotal.value;
      const fatal = c.session.fatal.value;
      const load = state.value;
      const alarm = fatal || load === 'failed';
      // Why the chat stopped comes with the panel's code (i18n/en-stops.ts): fetched now, shown once in.
      if (fatal) void fetchPanel().catch(() => {});
      const text = fatal ? fatalText(fatal) : alarm ? t('loadFailed') : unread > 0 ? plural('newMessages', unread) : null;
      button.setAttribute('aria-label', open ? t('closeChat') : t('openChat'));
      button.setAttribute('aria-expanded', String(open));
      button.setAttribute('aria-busy', String(load === 'loading'));
      path.setAttribute('d', open ? CLOSE_ICON : CHAT_ICON);
      // Why the chat stopped, or could not open, on hover too (the badge alone says only "!").
      if (alarm && text) button.title = text;
      else button.removeAttribute('title');
      if (alarm || text) {
        badge.textContent = alarm ? '!' : unread > 99 ? '99+' : String(unread);
        note.textContent = text ?? '';
        button.setAttribute('aria-describedby', 'ic-note');
        button.append(badge, note);
      } else {
        button.removeAttribute('aria-describedby');
        badge.remove();
        note.remove();
      }
    }),
  ];

  const win = doc.defaultView;
  const idle = win?.requestIdleCallback?.bind(win) ?? ((cb: () => void) => win?.setTimeout(cb, 1500));
  idle(() => void fetchPanel().catch(() => {})); // a failure here is retried on open

  const attach = () => (doc.body ?? doc.documentElement).appendChild(host);
  if (doc.body) attach();
  else doc.addEventListener('DOMContentLoaded', attach, { once: true });
  return () => {
    for (const stop of stops) stop();
    panel?.();
    unstyle();
    host.remove();
  };
}
