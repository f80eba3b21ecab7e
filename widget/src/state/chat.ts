// One signed-in user's chat, the launcher's part: creates the models, wires the REST client and
// the link into them, keeps the dialog list and its unread counts, and holds the actions the page
// API calls. What happens inside conversations (state/full.ts) loads when the browser is idle or
// on the first open, and attaches here. A user switch disposes it whole.
import { batch, signal } from '@preact/signals-core';
import type { Dialog } from '@imbachat/server/protocol';
import type { EventMap, EventName } from '../contract.ts';
import { Connection, type ConnectionOptions, type SocketFactory } from '../transport/connection.ts';
import { TabLink, announceUser, tabsSupported } from '../transport/tabs.ts';
import { ApiError, RestClient } from '../transport/rest.ts';
import { DialogsModel } from './dialogs.ts';
import { Frames, type LaterFrame } from './frames.ts';
import type { AlertOptions, ChatCore, FullChat } from './full.ts';
import { loadDialogs, type ListOptions } from './list.ts';
import type { TabStorage } from './outbox.ts';
import { type FatalCode, fatalFromCode, SessionModel } from './session.ts';
import { watchPage } from './page-watch.ts';
import { ViewModel } from './view.ts';

/** Frames that arrive before the conversations part is in wait for it (messages for the sound and
 *  the notification, presence); past this many, the oldest are dropped: the list has its counts. */
const WAITING_FRAMES = 200;

export interface ChatOptions {
  base: string;
  devId: string;
  userId: string;
  token: string;
  getToken?: () => string | Promise<string>;
  emit<K extends EventName>(event: K, payload: EventMap[K]): void;
  fetch?: typeof fetch;
  socket?: SocketFactory;
  /** The tab's storage (drafts, messages still being sent); sessionStorage by default. */
  storage?: TabStorage | null;
  /** Where the person's notification choices are kept; localStorage by default. */
  prefs?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Fetches the conversations part (the app passes its lazy chunk; tests import it directly). */
  code: () => Promise<{ FullChat: typeof FullChat }>;
}

export class Chat {
  readonly session: SessionModel;
  readonly dialogs: DialogsModel;
  readonly view = new ViewModel();
  /** The conversations part, once loaded (the panel renders only then). */
  readonly loaded = signal<FullChat | null>(null);
  readonly #frames: Frames;
  readonly #rest: RestClient;
  #connection: Connection | TabLink;
  readonly #list: ListOptions;
  readonly #core: ChatCore;
  #fullCode: Promise<FullChat> | null = null;
  #waiting: LaterFrame[] = [];
  #alertOptions: AlertOptions = { titleBadge: true, sound: true, notifications: true };
  readonly #cleanups: (() => void)[] = [];
  #readyEmitted = false;
  /** Whether the last ready frame resumed the event stream (then nothing needs refetching). */
  #lastReadyResumed = false;
  #disposed = false;

  readonly #opts: ChatOptions;

  constructor(opts: ChatOptions) {
    this.#opts = opts;
    this.session = new SessionModel(opts.userId, opts.token, opts.getToken);
    this.dialogs = new DialogsModel(opts.userId);
    const api = `${opts.base}/api/v1/${encodeURIComponent(opts.devId)}`;
    this.#rest = new RestClient({
      baseUrl: api,
      token: () => this.session.token(),
      refreshToken: () => this.session.refreshToken(),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    const seen = (items: Dialog[]) => this.loaded.peek()?.seed(items);
    const target = { session: this.session, dialogs: this.dialogs, seen, later: (frame: LaterFrame) => this.#later(frame) };
    this.#frames = new Frames(target, (id) => this.#rest.dialog(id), opts.emit);
    this.#list = {
      rest: this.#rest,
      dialogs: this.dialogs,
      seen,
      onLoaded: () => this.#maybeReady(),
      onError: (err) => this.#handleError(err),
      disposed: () => this.#disposed,
    };
    const chat = this;
    this.#core = {
      base: opts.base,
      devId: opts.devId,
      session: this.session,
      dialogs: this.dialogs,
      view: this.view,
      rest: this.#rest,
      get alertOptions() {
        return chat.#alertOptions;
      },
      prefs: opts.prefs,
      sendFrame: (frame) => this.#connection.send(frame),
      fetchDialog: (id) => this.#frames.fetchDialog(id),
      alertsHere: () => this.alertsHere(),
      siteStorage: () => this.#browserStorage('localStorage'),
      tabStorage: () => this.#storage(),
      viewKey: `imbachat:view:${opts.devId}:${opts.userId}`,
      fail: (code, message) => this.#fail(code, message),
      onError: (err, quiet) => this.#handleError(err, quiet),
      disposed: () => this.#disposed,
    };
    this.#connection = this.#makeConnection(this.#connectionUrl);
  }

  start(): void {
    this.#connection.connect();
    void this.#loadMe();
    void this.loadDialogs();
    this.#restoreView();
    this.#cleanups.push(...watchPage({ view: this.view, dialogs: this.dialogs, link: () => this.#connection, emit: this.#opts.emit }));
    // The site signed someone else in, in another tab: this tab's user is no longer the site's.
    this.#cleanups.push(announceUser(this.#opts.devId, this.#opts.userId, () => this.#stop('user_switched', 'Another user signed in in another tab.')));
    // Messages left unsent on the previous page, the sound and the notifications: when idle.
    const idle = globalThis.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 1500));
    idle(() => void this.loadFull().catch(() => {})); // tried again on the first open
  }

  dispose(): void {
    this.#disposed = true;
    this.#connection.close();
    this.#rest.abort();
    this.loaded.peek()?.dispose();
    this.#frames.dispose();
    for (const stop of this.#cleanups.splice(0)) stop();
  }

  // ---- page API -------------------------------------------------------------------------

  updateToken(token: string): void {
    this.session.setToken(token);
    if (this.session.fatal.value === 'token_expired' || this.session.fatal.value === 'token_invalid') {
      this.session.fatal.value = null;
      this.#connection = this.#makeConnection(this.#connectionUrl);
      this.#connection.connect();
      void this.loadDialogs();
    } else {
      this.#connection.retryNow();
    }
    this.loaded.peek()?.connected();
  }

  /** The page's load options for the title badge, the sound and desktop notifications. */
  setAlertOptions(o: AlertOptions): void {
    this.#alertOptions = o;
    this.loaded.peek()?.setAlertOptions(o);
  }

  /** The conversations part: loaded once (again after a failed try), attached to this chat. */
  loadFull(): Promise<FullChat> {
    this.#fullCode ??= this.#opts.code().then(
      ({ FullChat }) => {
        if (this.#disposed) throw new Error('The chat was closed.');
        const full = new FullChat(this.#core);
        full.seed(this.dialogs.items.peek());
        for (const frame of this.#waiting.splice(0)) full.apply(frame);
        this.loaded.value = full;
        return full;
      },
      (err: unknown) => {
        this.#fullCode = null;
        throw err;
      },
    );
    return this.#fullCode;
  }

  /** The conversations part, for the panel (which renders only once it is loaded). */
  full(): FullChat {
    const full = this.loaded.peek();
    if (!full) throw new Error('not loaded'); // the panel renders only once it is
    return full;
  }

  // ---- panel ----------------------------------------------------------------------------

  openPanel(): void {
    this.view.open.value = true;
  }

  closePanel(): void {
    this.view.open.value = false;
  }

  showList(): void {
    batch(() => {
      this.view.view.value = { kind: 'list' };
      this.view.open.value = true;
    });
    if (this.dialogs.status.peek() === 'error') void this.loadDialogs();
  }

  /** imbaApi.openDialog(userId): open the dialog with that user, creating it on the server if needed. */
  async openDialogWith(userId: string): Promise<void> {
    // The panel opens at once and says it is opening; its code may still be on the way.
    const known = this.dialogs.withUser(userId);
    batch(() => {
      this.view.view.value = known ? { kind: 'dialog', id: known.id } : { kind: 'opening', userId };
      this.view.open.value = true;
    });
    try {
      await (await this.loadFull()).openDialogWith(userId);
    } catch {
      // the launcher says the code could not load; the next click tries again
    }
  }

  /** Of this browser's tabs, the one to alert: a visible one, or the leader when none is. */
  alertsHere(): boolean {
    const link = this.#connection;
    return !(link instanceof TabLink) || this.view.pageVisible.peek() || (link.leading && !link.otherTabVisible());
  }

  /** The first page of the dialog list (again), or the next one. */
  loadDialogs(more = false): Promise<void> {
    return loadDialogs(this.#list, more);
  }

  // ---- the panel across page loads ------------------------------------------------------

  /** The panel comes back as the person left it in this tab (open or closed, list or dialog)
   *  when they move to another page of the site or reload (state/full.ts saves it). */
  #restoreView(): void {
    const saved = this.#savedView();
    if (saved?.open !== true) return;
    this.view.restored.value = true;
    if (typeof saved.dialog !== 'number') return this.showList();
    const id = saved.dialog;
    // Its history loads once the conversations part is in (FullChat sees the view restored).
    batch(() => {
      this.view.view.value = { kind: 'dialog', id };
      this.view.open.value = true;
    });
  }

  #savedView(): { open?: unknown; dialog?: unknown } | null {
    try {
      return JSON.parse(this.#storage()?.getItem(this.#core.viewKey) ?? 'null') as { open?: unknown; dialog?: unknown } | null;
    } catch {
      return null; // nothing usable saved
    }
  }

  /** The tab's own storage (outbox, the panel's state); the storage a test gives stands in. */
  #storage(): ChatOptions['storage'] {
    return this.#browserStorage('sessionStorage');
  }

  #browserStorage(kind: 'localStorage' | 'sessionStorage'): ChatOptions['storage'] {
    if (this.#opts.storage !== undefined) return this.#opts.storage;
    try {
      return globalThis[kind] ?? null;
    } catch {
      return null; // blocked (third-party storage settings): memory only
    }
  }

  // ---- wiring ---------------------------------------------------------------------------

  get #connectionUrl(): string {
    return `${this.#opts.base.replace(/^http/, 'ws')}/api/v1/${encodeURIComponent(this.#opts.devId)}/ws`;
  }

  /** The tab's link: shared by all tabs of this user where the browser can (transport/tabs.ts). */
  #makeConnection(url: string): Connection | TabLink {
    const options: ConnectionOptions = {
      url,
      token: () => this.session.token(),
      refreshToken: () => this.session.refreshToken(),
      ...(this.#opts.socket ? { socket: this.#opts.socket } : {}),
      onState: (change) => {
        const wasConnected = this.session.everConnected.peek();
        this.session.linkChanged(change);
        const state = change.newState;
        if (change.oldState === 'connected') this.loaded.peek()?.presence.forgetLive(); // presence frames may be missed from here on
        if (state !== 'connected') return;
        if (!this.#lastReadyResumed && (wasConnected || this.dialogs.status.peek() === 'loaded')) void this.#resync();
        else if (wasConnected) void this.loadDialogs(); // presence is not replayed: take the current state
        this.loaded.peek()?.connected();
      },
      onFrame: (frame) => {
        this.#frames.apply(frame);
        if (frame.type === 'ready') this.#maybeReady();
      },
      onReady: (resumed) => (this.#lastReadyResumed = resumed),
      onStop: (code) => this.#stop(fatalFromCode(code), `The chat stopped: ${code}.`),
    };
    if (this.#opts.socket || !tabsSupported()) return new Connection(options);
    return new TabLink({ ...options, key: `imbachat:link:${this.#opts.devId}:${this.#opts.userId}` });
  }

  /** After a reconnect that could not resume: the dialog list again and the threads from their last seq. */
  async #resync(): Promise<void> {
    await this.loadDialogs();
    await this.loaded.peek()?.resync();
  }

  /** A frame about conversations: on to that part, or waiting for it (typing is stale by then). */
  #later(frame: LaterFrame): void {
    const full = this.loaded.peek();
    if (full) return full.apply(frame);
    if (frame.type === 'typing.start' || frame.type === 'typing.stop') return;
    this.#waiting.push(frame);
    if (this.#waiting.length > WAITING_FRAMES) this.#waiting.shift();
  }

  async #loadMe(): Promise<void> {
    try {
      const me = await this.#rest.me();
      if (!this.#disposed) this.session.me.value = me;
      this.#maybeReady();
    } catch (err) {
      if (this.#disposed) return;
      if (err instanceof ApiError && err.code === 'user_not_found') this.#stop('user_not_found', err.message);
      else this.#handleError(err);
    }
  }

  #maybeReady(): void {
    const me = this.session.me.peek();
    if (this.#readyEmitted || !me || this.dialogs.status.peek() !== 'loaded') return;
    this.#readyEmitted = true;
    this.#opts.emit('ready', { user: me });
  }

  #handleError(err: unknown, quiet = false): void {
    if (!(err instanceof ApiError)) return this.#fail('internal_error', String(err));
    if (err.code === 'aborted') return;
    if (err.status === 401 || err.code === 'widget_not_found' || err.code === 'origin_not_allowed') return this.#stop(fatalFromCode(err.code), err.message);
    // Once the chat has stopped, what fails after is the same cause (or a CORS-less refusal seen
    // as "network"): the page hears the cause once.
    if (!quiet && !this.session.fatal.peek()) this.#fail(err.code, err.message);
  }

  /** Something only the page or the site owner can fix: stop, show why, tell the page once. */
  #stop(fatal: FatalCode, message: string): void {
    if (this.session.fatal.peek()) return;
    this.session.fatal.value = fatal;
    this.#connection.close();
    this.#fail(fatal, message);
  }

  #fail(code: string, message: string): void {
    this.#opts.emit('error', { code, message });
  }
}
