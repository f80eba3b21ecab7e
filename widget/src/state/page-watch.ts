// What the chat watches on the page, and what it tells the page: the tab's visibility (for the
// sound, and for the tabs' choice of where it plays), the network coming back (try the link at
// once), and the page's `unread`, `open` and `close` events, each fired on a change only.
import { effect } from '@preact/signals-core';
import type { EventMap, EventName } from '../contract.ts';
import type { Connection } from '../transport/connection.ts';
import { TabLink } from '../transport/tabs.ts';
import type { DialogsModel } from './dialogs.ts';
import type { ViewModel } from './view.ts';

export interface PageWatch {
  view: ViewModel;
  dialogs: DialogsModel;
  /** The tab's link as it is now (a new token may have replaced it). */
  link(): Connection | TabLink;
  emit<K extends EventName>(event: K, payload: EventMap[K]): void;
}

/** Starts watching; returns the ways to stop. */
export function watchPage(w: PageWatch): (() => void)[] {
  const stops: (() => void)[] = [];
  const listen = (target: EventTarget, type: string, run: () => void) => {
    target.addEventListener(type, run);
    stops.push(() => target.removeEventListener(type, run));
  };
  if (typeof document !== 'undefined') {
    const onVisibility = () => {
      w.view.pageVisible.value = document.visibilityState !== 'hidden';
      const link = w.link();
      if (link instanceof TabLink) link.setVisible(w.view.pageVisible.peek());
    };
    onVisibility();
    listen(document, 'visibilitychange', onVisibility);
  }
  if (typeof window !== 'undefined') listen(window, 'online', () => w.link().retryNow());
  let lastUnread = -1;
  let wasOpen = false;
  stops.push(
    effect(() => {
      const total = w.dialogs.unreadTotal.value;
      if (w.dialogs.status.value !== 'loaded' || total === lastUnread) return;
      lastUnread = total;
      w.emit('unread', { total });
    }),
    effect(() => {
      const open = w.view.open.value;
      if (open === wasOpen) return;
      wasOpen = open;
      w.emit(open ? 'open' : 'close', {});
    }),
  );
  return stops;
}
