// One signed-in user's chat: creates the models, wires the REST client and the WebSocket into
// them, and holds the actions the UI and the page API call. A user switch disposes it whole.
import { batch, effect } from '@preact/signals-core';
import type { EventMap, EventName } from '../contract.ts';
import { Connection, type ConnectionOptions, type SocketFactory } from '../transport/connection.ts';
import { TabLink, announceUser, tabsSupported } from '../transport/tabs.ts';
import { ApiError, RestClient } from '../transport/rest.ts';
import { Alerts } from './alerts.ts';
import { DialogsModel } from './dialogs.ts';
import { Frames } from './frames.ts';
import { Drafts } from './drafts.ts';
import { MessagesModel } from './messages.ts';
import { Outbox, type TabStorage } from './outbox.ts';
import { PresenceModel } from './presence.ts';
import { Reads } from './reads.ts';
import { type FatalCode, fatalFromCode, SessionModel } from './session.ts';
import { Sync } from './sync.ts';
import { TypingSender } from './typing.ts';
import { ViewModel } from './view.ts';

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
}

export class Chat {
  readonly session: SessionModel;
  readonly dialogs: DialogsModel;
  readonly messages = new MessagesModel();
  readonly view = new ViewModel();
  readonly presence = new PresenceModel();
  readonly alerts: Alerts;
  private readonly outbox: Outbox;
  private readonly frames: Frames;
  private readonly rest: RestClient;
  private connection: Connection | TabLink;
  private readonly sync: Sync;
  private readonly reads: Reads;
  private readonly drafts: Drafts;
  private readonly typingSender: TypingSender;
  private readonly cleanups: (() => void)[] = [];
  private readyEmitted = false;
  /** Whether the last ready frame resumed the event stream (then nothing needs refetching). */
  private lastReadyResumed = false;
  private disposed = false;

  constructor(private readonly opts: ChatOptions) {
    this.session = new SessionModel(opts.userId, opts.token, opts.getToken);
    this.dialogs = new DialogsModel(opts.userId);
    this.alerts = new Alerts({ prefix: `imbachat:${opts.devId}:${opts.userId}`, ...(opts.prefs !== undefined ? { storage: opts.prefs } : {}) });
    const api = `${opts.base}/api/v1/${encodeURIComponent(opts.devId)}`;
    this.rest = new RestClient({
      baseUrl: api,
      token: () => this.session.token(),
      refreshToken: () => this.session.refreshToken(),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.outbox = new Outbox({
      userId: opts.userId,
      key: `imbachat:outbox:${opts.devId}:${opts.userId}`,
      messages: this.messages,
      dialogs: this.dialogs,
      rest: this.rest,
      storage: () => this.storage(),
      onError: (err, quiet) => this.handleError(err, quiet),
    });
    this.frames = new Frames(this, (id) => this.rest.dialog(id), opts.emit, `imbachat-${opts.devId}-`);
    const models = { userId: opts.userId, rest: this.rest, view: this.view, dialogs: this.dialogs, messages: this.messages };
    this.sync = new Sync({
      ...models,
      presence: this.presence,
      fetchDialog: (id) => this.frames.fetchDialog(id),
      onListLoaded: () => this.maybeReady(),
      onError: (err) => this.handleError(err),
      disposed: () => this.disposed,
    });
    this.reads = new Reads({ ...models, onError: (err) => this.handleError(err, true) });
    this.drafts = new Drafts(`imbachat:draft:${opts.devId}:${opts.userId}`, () => this.siteStorage());
    this.connection = this.makeConnection(this.connectionUrl);
    this.typingSender = new TypingSender((frame) => this.connection.send(frame));
  }

  start(): void {
    this.connection.connect();
    void this.loadMe();
    void this.loadDialogs();
    this.restoreView();
    this.watch();
    // The site signed someone else in, in another tab: this tab's user is no longer the site's.
    this.cleanups.push(announceUser(this.opts.devId, this.opts.userId, () => this.stop('user_switched', 'Another user signed in in another tab.')));
    this.outbox.restore();
  }

  dispose(): void {
    this.disposed = true;
    this.connection.close();
    this.rest.abort();
    this.presence.dispose();
    this.alerts.dispose();
    this.outbox.dispose();
    this.frames.dispose();
    this.drafts.dispose();
    for (const stop of this.cleanups.splice(0)) stop();
  }

  // ---- page API -------------------------------------------------------------------------

  updateToken(token: string): void {
    this.session.setToken(token);
    if (this.session.fatal.value === 'token_expired' || this.session.fatal.value === 'token_invalid') {
      this.session.fatal.value = null;
      this.connection = this.makeConnection(this.connectionUrl);
      this.connection.connect();
      void this.loadDialogs();
    } else {
      this.connection.retryNow();
    }
    this.outbox.flush();
  }

  unreadWith(userId: string): number {
    return this.dialogs.withUser(userId)?.unread_count ?? 0;
  }

  // ---- panel ----------------------------------------------------------------------------

  openPanel(): void {
    this.view.open.value = true;
  }

  closePanel(): void {
    this.view.open.value = false;
  }

  dismissNotice(): void {
    this.view.notice.value = null;
  }

  showList(): void {
    batch(() => {
      this.view.view.value = { kind: 'list' };
      this.view.open.value = true;
    });
    if (this.dialogs.status.peek() === 'error') void this.loadDialogs();
  }

  showDialog(id: number): void {
    const d = this.dialogs.byId(id);
    batch(() => {
      // Where "New messages" goes: after what was read when the dialog opened (it stays put while open).
      this.view.unreadAfter.value = d && d.unread_count > 0 ? d.last_read_seq : null;
      this.view.notice.value = null;
      this.view.view.value = { kind: 'dialog', id };
      this.view.open.value = true;
    });
    void this.loadThread(id);
  }

  /** imbaApi.openDialog(userId): open the dialog with that user, creating it on the server if needed. */
  async openDialogWith(userId: string): Promise<void> {
    if (userId === this.opts.userId) {
      this.fail('cannot_message_self', 'You cannot write to yourself.');
      this.showList();
      this.view.notice.value = 'cannotMessageSelf';
      return;
    }
    const known = this.dialogs.withUser(userId);
    if (known) this.showDialog(known.id);
    else
      batch(() => {
        this.view.view.value = { kind: 'opening', userId };
        this.view.open.value = true;
      });
    try {
      const dialog = await this.rest.openDialog(userId);
      if (this.disposed) return;
      this.dialogs.upsert(dialog);
      const v = this.view.view.peek();
      if (!known && v.kind === 'opening' && v.userId === userId) this.showDialog(dialog.id);
    } catch (err) {
      if (this.disposed || known) return;
      const code = err instanceof ApiError ? err.code : 'network';
      this.view.notice.value = code === 'user_not_found' ? 'userNotFound' : code === 'network' ? 'networkError' : 'genericError';
      this.view.view.value = { kind: 'list' };
      this.fail(code, err instanceof Error ? err.message : String(err));
    }
  }

  /** Of this browser's tabs, the one to alert: a visible one, or the leader when none is. */
  alertsHere(): boolean {
    const link = this.connection;
    return !(link instanceof TabLink) || this.view.pageVisible.peek() || (link.leading && !link.otherTabVisible());
  }

  // ---- loading (state/sync.ts) ---------------------------------------------------------

  loadDialogs(more = false): Promise<void> {
    return this.sync.loadDialogs(more);
  }
  loadThread(dialogId: number): Promise<void> {
    return this.sync.loadThread(dialogId);
  }
  loadOlder(dialogId: number): Promise<void> {
    return this.sync.loadOlder(dialogId);
  }
  /** Fetches what a loaded thread missed (a seq gap in the live frames). */
  catchUp(dialogId: number): Promise<void> {
    return this.sync.catchUp(dialogId);
  }

  // ---- sending --------------------------------------------------------------------------

  send(dialogId: number, text: string): boolean {
    const body = text.trim();
    if (!body || this.session.fatal.peek()) return false;
    this.typing(dialogId, false);
    this.outbox.add(dialogId, body);
    return true;
  }

  /** Sends a pending or failed message again (the Retry button). */
  deliver(dialogId: number, key: string): Promise<void> {
    return this.outbox.deliver(dialogId, key);
  }

  /** Drops a message the server refused (the Delete button). */
  discard(dialogId: number, key: string): void {
    this.outbox.discard(dialogId, key);
  }

  /** Takes a refused message back into the composer to be changed and sent again (Edit). */
  editFailed(dialogId: number, key: string): void {
    const text = this.outbox.discard(dialogId, key);
    if (text === null) return;
    this.setDraft(dialogId, text);
    this.view.edit.value = { dialogId, text };
  }

  // ---- typing (state/typing.ts) --------------------------------------------------------

  /** The composer changed: tell the others we are typing (throttled) or stopped. */
  typing(dialogId: number, active: boolean): void {
    this.typingSender.update(dialogId, active);
  }

  // ---- drafts (state/drafts.ts) --------------------------------------------------------

  draft(dialogId: number): string {
    return this.drafts.get(dialogId);
  }
  setDraft(dialogId: number, text: string): void {
    this.drafts.set(dialogId, text);
  }
  /** A draft typed in another tab, for the composer of that dialog. */
  get draftElsewhere() {
    return this.drafts.elsewhere;
  }

  // ---- the panel across page loads ------------------------------------------------------

  /** The panel comes back as the person left it in this tab (open or closed, list or dialog)
   *  when they move to another page of the site or reload. */
  private restoreView(): void {
    const saved = this.savedView();
    if (saved?.open !== true) return;
    this.view.restored.value = true;
    if (typeof saved.dialog === 'number') this.showDialog(saved.dialog);
    else this.showList();
  }

  private savedView(): { open?: unknown; dialog?: unknown } | null {
    try {
      return JSON.parse(this.storage()?.getItem(this.viewKey) ?? 'null') as { open?: unknown; dialog?: unknown } | null;
    } catch {
      return null; // nothing usable saved
    }
  }

  private saveView(): void {
    const v = this.view.view.value;
    const state = { open: this.view.open.value, dialog: v.kind === 'dialog' ? v.id : null };
    try {
      this.storage()?.setItem(this.viewKey, JSON.stringify(state));
    } catch {
      // storage blocked: the panel starts closed on the next page
    }
  }

  private get viewKey(): string {
    return `imbachat:view:${this.opts.devId}:${this.opts.userId}`;
  }

  /** The site's storage, shared by its tabs (drafts); the storage a test gives stands in. */
  private siteStorage(): ChatOptions['storage'] {
    return this.browserStorage('localStorage');
  }

  /** The tab's own storage (outbox, the panel's state). */
  private storage(): ChatOptions['storage'] {
    return this.browserStorage('sessionStorage');
  }

  private browserStorage(kind: 'localStorage' | 'sessionStorage'): ChatOptions['storage'] {
    if (this.opts.storage !== undefined) return this.opts.storage;
    try {
      return globalThis[kind] ?? null;
    } catch {
      return null; // blocked (third-party storage settings): memory only
    }
  }

  // ---- wiring ---------------------------------------------------------------------------

  private get connectionUrl(): string {
    return `${this.opts.base.replace(/^http/, 'ws')}/api/v1/${encodeURIComponent(this.opts.devId)}/ws`;
  }

  /** The tab's link: shared by all tabs of this user where the browser can (transport/tabs.ts). */
  private makeConnection(url: string): Connection | TabLink {
    const options: ConnectionOptions = {
      url,
      token: () => this.session.token(),
      refreshToken: () => this.session.refreshToken(),
      ...(this.opts.socket ? { socket: this.opts.socket } : {}),
      onState: (change) => {
        const wasConnected = this.session.everConnected.peek();
        this.session.linkChanged(change);
        const state = change.newState;
        if (change.oldState === 'connected') this.presence.forgetLive(); // presence frames may be missed from here on
        if (state !== 'connected') return;
        if (!this.lastReadyResumed && (wasConnected || this.dialogs.status.peek() === 'loaded')) void this.sync.resync();
        else if (wasConnected) void this.loadDialogs(); // presence is not replayed: take the current state
        this.outbox.flush();
      },
      onFrame: (frame) => {
        this.frames.apply(frame);
        if (frame.type === 'ready') this.maybeReady();
      },
      onReady: (resumed) => (this.lastReadyResumed = resumed),
      onStop: (code) => this.stop(fatalFromCode(code), `The chat stopped: ${code}.`),
    };
    if (this.opts.socket || !tabsSupported()) return new Connection(options);
    return new TabLink({ ...options, key: `imbachat:link:${this.opts.devId}:${this.opts.userId}` });
  }

  private async loadMe(): Promise<void> {
    try {
      const me = await this.rest.me();
      if (!this.disposed) this.session.me.value = me;
      this.maybeReady();
    } catch (err) {
      if (this.disposed) return;
      if (err instanceof ApiError && err.code === 'user_not_found') this.stop('user_not_found', err.message);
      else this.handleError(err);
    }
  }

  private maybeReady(): void {
    const me = this.session.me.peek();
    if (this.readyEmitted || !me || this.dialogs.status.peek() !== 'loaded') return;
    this.readyEmitted = true;
    this.opts.emit('ready', { user: me });
  }

  private handleError(err: unknown, quiet = false): void {
    if (!(err instanceof ApiError)) return this.fail('internal_error', String(err));
    if (err.code === 'aborted') return;
    if (err.status === 401 || err.code === 'widget_not_found' || err.code === 'origin_not_allowed') return this.stop(fatalFromCode(err.code), err.message);
    // Once the chat has stopped, what fails after is the same cause (or a CORS-less refusal seen
    // as "network"): the page hears the cause once.
    if (!quiet && !this.session.fatal.peek()) this.fail(err.code, err.message);
  }

  /** Something only the page or the site owner can fix: stop, show why, tell the page once. */
  private stop(fatal: FatalCode, message: string): void {
    if (this.session.fatal.peek()) return;
    this.session.fatal.value = fatal;
    this.connection.close();
    this.fail(fatal, message);
  }

  private fail(code: string, message: string): void {
    this.opts.emit('error', { code, message });
  }

  private watch(): void {
    const doc = typeof document === 'undefined' ? null : document;
    if (doc) {
      const onVisibility = () => {
        this.view.pageVisible.value = doc.visibilityState !== 'hidden';
        if (this.connection instanceof TabLink) this.connection.setVisible(this.view.pageVisible.peek());
      };
      onVisibility();
      doc.addEventListener('visibilitychange', onVisibility);
      this.cleanups.push(() => doc.removeEventListener('visibilitychange', onVisibility));
    }
    if (typeof window !== 'undefined') {
      const onOnline = () => this.connection.retryNow();
      window.addEventListener('online', onOnline);
      this.cleanups.push(() => window.removeEventListener('online', onOnline));
    }
    this.cleanups.push(effect(() => this.alerts.setTitle(!this.view.pageVisible.value, this.dialogs.unreadTotal.value)));
    let lastUnread = -1;
    this.cleanups.push(
      effect(() => {
        const total = this.dialogs.unreadTotal.value;
        if (this.dialogs.status.value !== 'loaded' || total === lastUnread) return;
        lastUnread = total;
        this.opts.emit('unread', { total });
      }),
    );
    let wasOpen = false;
    this.cleanups.push(
      effect(() => {
        const open = this.view.open.value;
        if (open === wasOpen) return;
        wasOpen = open;
        this.opts.emit(open ? 'open' : 'close', {});
      }),
    );
    this.cleanups.push(effect(() => this.reads.markSeen()));
    this.cleanups.push(effect(() => this.saveView()));
  }
}
