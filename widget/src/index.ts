// The loader: the script tag's only code. Defines window.ImbaChat and window.imbaApi at once,
// queues calls made before the app chunk has arrived, and fetches that chunk on the first load().
import { USER_ID_RULE, normalizeUserId, report, validateLoadOptions } from './api.ts';
import type { Controller, EventMap, EventName, PageCall, Start } from './contract.ts';
import { locateScript } from './locate.ts';
import type { ImbaApi, ImbaChatGlobal } from '../types/imbachat.d.ts';

declare const __IMBACHAT_APP_ENTRY__: string;

const MARK = '__imbachat';

function install(win: Window & typeof globalThis): void {
  // A second copy of the script tag must not replace a working widget.
  if ((win.ImbaChat as (ImbaChatGlobal & { [MARK]?: true }) | undefined)?.[MARK]) return;

  const where = locateScript(win.document);
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const queue: ((c: Controller) => void)[] = [];
  let controller: Controller | null = null;
  let loading = false;

  const emit = <K extends EventName>(event: K, payload: EventMap[K]): void => {
    for (const cb of [...(listeners.get(event) ?? [])]) {
      try {
        (cb as (p: EventMap[K]) => void)(payload);
      } catch (err) {
        console.error(err);
      }
    }
  };

  const withApp = (call: (c: Controller) => void): void => {
    if (controller) return call(controller);
    queue.push(call);
    if (loading || !where) return;
    loading = true;
    const url = `${where.base}/imbachat/v1/${__IMBACHAT_APP_ENTRY__}`;
    import(/* @vite-ignore */ url).then(
      (mod: { start: Start }) => {
        controller = mod.start({ base: where.base, devId: where.devId, emit });
        for (const call of queue.splice(0)) call(controller);
      },
      (err: unknown) => {
        loading = false;
        queue.length = 0;
        report(`could not load the chat from ${where.base} (${String(err)}).`);
        emit('error', { code: 'load_failed', message: 'The chat could not be loaded.' });
      },
    );
  };

  /** A page call the app answers with a promise, passed on as given. */
  const relay =
    <K extends PageCall>(call: K) =>
    (arg: unknown) =>
      new Promise<unknown>((resolve, reject) => withApp((c) => c.page(call, arg).then(resolve, reject))) as ReturnType<ImbaApi[K]>;

  const imbaChat: ImbaChatGlobal & { [MARK]: true } = {
    [MARK]: true,
    load(options) {
      if (!where) {
        report('cannot tell the chat server: load the script from …/imbachat/v1/{dev_id}/widget.');
        return;
      }
      const valid = validateLoadOptions(options);
      if (valid) withApp((c) => c.load(valid));
    },
  };

  const imbaApi: ImbaApi = {
    openDialog(userId) {
      let id: string | undefined;
      if (userId !== undefined && userId !== null) {
        const normalized = normalizeUserId(userId);
        if (normalized === null) {
          report(`imbaApi.openDialog: the user id must be ${USER_ID_RULE} (got ${String(userId)}).`);
          return Promise.resolve();
        }
        id = normalized;
      }
      return new Promise<void>((resolve) => withApp((c) => void c.openDialog(id).then(resolve)));
    },
    // Checked by the app (group-api.ts); they settle once it has answered.
    openGroup: relay('openGroup'),
    createGroup: relay('createGroup'),
    addToRoom: relay('addToRoom'),
    close: () => withApp((c) => c.close()),
    countNewMessagesSum: () => controller?.countNewMessagesSum() ?? 0,
    countNewMessages(userId) {
      const id = normalizeUserId(userId);
      return id === null || !controller ? 0 : controller.countNewMessages(id);
    },
    on(event, cb) {
      if (typeof cb !== 'function') return report(`imbaApi.on("${String(event)}", …) needs a function.`);
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb);
    },
    off(event, cb) {
      listeners.get(event)?.delete(cb);
    },
    updateToken(token) {
      if (typeof token !== 'string' || token.trim() === '') return report('imbaApi.updateToken(token) needs the new token string.');
      withApp((c) => c.updateToken(token.trim()));
    },
  };

  win.ImbaChat = imbaChat;
  win.imbaApi = imbaApi;
}

install(window);
