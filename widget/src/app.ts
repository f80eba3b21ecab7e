// The app chunk: loaded by the loader on the first ImbaChat.load. Keeps one Chat per signed-in
// user, mounts the UI once, and answers the page API.
import type { LoadOptions } from './api.ts';
import { report } from './report.ts';
import type { Controller, Host } from './contract.ts';
import { setLang } from './i18n/index.ts';
import { Chat } from './state/chat.ts';
import { mount } from './ui/mount.ts';
import { createAppModel } from './ui/model.ts';

/** Everything after the launcher, in one chunk (later.ts). */
const later = () => import('./later.ts');

export function start(host: Host): Controller {
  const app = createAppModel();
  let unmount: (() => void) | null = null;

  const current = (): Chat | null => app.chat.peek();
  const needChat = (what: string): Chat | null => {
    const chat = current();
    if (!chat) report(`${what} needs ImbaChat.load({ user_id, token }) first.`);
    return chat;
  };

  return {
    load(options: LoadOptions) {
      const texts = setLang(options.lang);
      const applyAlerts = (c: Chat) => c.setAlertOptions({ titleBadge: options.titleBadge, sound: options.sound, notifications: options.notifications });
      app.position.value = options.position;
      let chat = current();
      if (chat && chat.session.userId === options.user_id) {
        chat.session.setToken(options.token, options.getToken);
        chat.updateToken(options.token);
        applyAlerts(chat);
      } else {
        // Another user: nothing of the previous one (socket, requests, drafts in view) survives.
        chat?.dispose();
        chat = new Chat({
          base: host.base,
          devId: host.devId,
          userId: options.user_id,
          token: options.token,
          ...(options.getToken ? { getToken: options.getToken } : {}),
          emit: host.emit,
          code: later,
        });
        applyAlerts(chat);
        app.chat.value = chat;
        chat.start();
      }
      if (options.open) chat.showList();
      // Shown once the page's language has its texts, so nothing flashes up in English first.
      void texts.then(() => (unmount ??= mount(app, later)));
    },
    async openDialog(userId) {
      const chat = needChat('imbaApi.openDialog');
      if (!chat) return;
      if (userId === undefined) chat.showList();
      else await chat.openDialogWith(userId);
    },
    page(call, arg) {
      const chat = needChat(`imbaApi.${call}`);
      return chat ? chat.loadFull().then((f) => f.page(call, arg)) : Promise.reject(new Error('no chat'));
    },
    close() {
      current()?.closePanel();
    },
    countNewMessagesSum() {
      return current()?.dialogs.unreadTotal.peek() ?? 0;
    },
    countNewMessages(userId) {
      return current()?.dialogs.withUser(userId)?.unread_count ?? 0;
    },
    updateToken(token) {
      needChat('imbaApi.updateToken')?.updateToken(token);
    },
  };
}
