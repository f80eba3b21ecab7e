// One signed-in user's chat: creates the models, wires the REST client and the WebSocket into
// them, and holds the actions the UI and the page API call. A user switch disposes it whole.
import { batch, effect } from '@preact/signals';
import { TYPING_THROTTLE_MS, type Dialog } from '@imbachat/server/protocol';
import type { EventMap, EventName } from '../contract.ts';
import { Connection, type SocketFactory } from '../transport/connection.ts';
import { ApiError, RestClient } from '../transport/rest.ts';
import { Alerts } from './alerts.ts';
import { DialogsModel } from './dialogs.ts';
import { Frames } from './frames.ts';
import { MessagesModel, type ChatMessage } from './messages.ts';
import { Outbox, type TabStorage } from './outbox.ts';
import { PresenceModel } from './presence.ts';
import { type FatalCode, fatalFromCode, SessionModel } from './session.ts';
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

const PAGE = 50;
/** Opening a dialog loads back at most this many pages to reach the first unread message. */
const UNREAD_PAGES = 10;

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
  private connection: Connection;
  private readonly cleanups: (() => void)[] = [];
  private readonly readPosted = new Map<number, number>();
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
    this.connection = this.makeConnection(this.connectionUrl);
  }

  start(): void {
    this.connection.connect();
    void this.loadMe();
    void this.loadDialogs();
    this.restoreView();
    this.watch();
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

  // ---- loading --------------------------------------------------------------------------

  async loadDialogs(more = false): Promise<void> {
    const cursor = more ? this.dialogs.nextCursor.peek() : null;
    if (more && !cursor) return;
    if (!more && this.dialogs.status.peek() !== 'loaded') this.dialogs.status.value = 'loading';
    try {
      const page = await this.rest.dialogs(cursor, PAGE);
      if (this.disposed) return;
      batch(() => {
        for (const d of page.items) this.presence.seed(d, this.opts.userId);
        this.dialogs.mergePage(page.items);
        this.dialogs.nextCursor.value = page.next_cursor;
        this.dialogs.status.value = 'loaded';
      });
      this.maybeReady();
    } catch (err) {
      if (this.disposed) return;
      if (this.dialogs.status.peek() !== 'loaded') this.dialogs.status.value = 'error';
      this.handleError(err);
    }
  }

  async loadThread(dialogId: number): Promise<void> {
    const thread = this.messages.thread(dialogId);
    const status = thread.status.peek();
    if (status === 'loading') return;
    if (status === 'loaded') return this.catchUp(dialogId);
    thread.status.value = 'loading';
    try {
      const page = await this.rest.messages(dialogId, { limit: PAGE });
      const items = page.items;
      let cursor = page.next_cursor;
      // Opening jumps to the first unread message, so load back until it is in.
      const readUpTo = this.unreadAfterFor(dialogId);
      for (let i = 0; readUpTo !== null && cursor && i < UNREAD_PAGES && (items[0]?.seq ?? 0) > readUpTo + 1; i++) {
        const older = await this.rest.messages(dialogId, { before: cursor, limit: PAGE });
        items.unshift(...older.items);
        cursor = older.next_cursor;
      }
      if (this.disposed) return;
      batch(() => {
        thread.merge(items);
        thread.olderCursor.value = cursor;
        thread.status.value = 'loaded';
      });
      if (!this.dialogs.byId(dialogId)) void this.frames.fetchDialog(dialogId);
    } catch (err) {
      if (this.disposed) return;
      thread.status.value = 'error';
      this.handleError(err);
    }
  }

  private unreadAfterFor(dialogId: number): number | null {
    const v = this.view.view.peek();
    return v.kind === 'dialog' && v.id === dialogId ? this.view.unreadAfter.peek() : null;
  }

  async loadOlder(dialogId: number): Promise<void> {
    const thread = this.messages.thread(dialogId);
    const cursor = thread.olderCursor.peek();
    if (!cursor || thread.loadingOlder.peek()) return;
    thread.loadingOlder.value = true;
    try {
      const page = await this.rest.messages(dialogId, { before: cursor, limit: PAGE });
      batch(() => {
        thread.merge(page.items);
        thread.olderCursor.value = page.next_cursor;
      });
    } catch (err) {
      this.handleError(err);
    } finally {
      thread.loadingOlder.value = false;
    }
  }

  /** Fetches what a loaded thread missed (after a reconnect or a seq gap), page by page. */
  async catchUp(dialogId: number): Promise<void> {
    const thread = this.messages.existing(dialogId);
    if (!thread || thread.status.peek() !== 'loaded') return;
    try {
      for (let i = 0; i < 20; i++) {
        const page = await this.rest.messages(dialogId, { after: thread.lastSeq(), limit: 100 });
        if (this.disposed) return;
        thread.merge(page.items);
        if (!page.next_cursor || page.items.length === 0) break;
      }
    } catch (err) {
      this.handleError(err);
    }
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

  // ---- typing ---------------------------------------------------------------------------

  private typingSentAt = new Map<number, number>();

  /** The composer changed: tell the partner we are typing (at most every few seconds) or stopped. */
  typing(dialogId: number, active: boolean): void {
    const last = this.typingSentAt.get(dialogId);
    if (active) {
      if (last !== undefined && Date.now() - last < TYPING_THROTTLE_MS) return;
      if (this.connection.send({ type: 'typing.start', dialog_id: dialogId })) this.typingSentAt.set(dialogId, Date.now());
    } else if (last !== undefined) {
      this.typingSentAt.delete(dialogId);
      this.connection.send({ type: 'typing.stop', dialog_id: dialogId });
    }
  }

  // ---- drafts ---------------------------------------------------------------------------

  draft(dialogId: number): string {
    return this.storage()?.getItem(this.draftKey(dialogId)) ?? this.drafts.get(dialogId) ?? '';
  }

  setDraft(dialogId: number, text: string): void {
    this.drafts.set(dialogId, text);
    const s = this.storage();
    try {
      if (text) s?.setItem(this.draftKey(dialogId), text);
      else s?.removeItem(this.draftKey(dialogId));
    } catch {
      // storage full or blocked: the in-memory draft still works
    }
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

  private readonly drafts = new Map<number, string>();
  private draftKey(dialogId: number): string {
    return `imbachat:draft:${this.opts.devId}:${this.opts.userId}:${dialogId}`;
  }
  private storage(): ChatOptions['storage'] {
    if (this.opts.storage !== undefined) return this.opts.storage;
    try {
      return globalThis.sessionStorage ?? null;
    } catch {
      return null;
    }
  }

  // ---- wiring ---------------------------------------------------------------------------

  private get connectionUrl(): string {
    return `${this.opts.base.replace(/^http/, 'ws')}/api/v1/${encodeURIComponent(this.opts.devId)}/ws`;
  }

  private makeConnection(url: string): Connection {
    return new Connection({
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
        if (!this.lastReadyResumed && (wasConnected || this.dialogs.status.peek() === 'loaded')) void this.resync();
        else if (wasConnected) void this.loadDialogs(); // presence is not replayed: take the current state
        this.outbox.flush();
      },
      onFrame: (frame) => {
        this.frames.apply(frame);
        if (frame.type === 'ready') this.maybeReady();
      },
      onReady: (resumed) => (this.lastReadyResumed = resumed),
      onStop: (code) => this.stop(fatalFromCode(code), `The chat stopped: ${code}.`),
    });
  }

  /** After a reconnect that could not resume: the dialog list again and the threads from their last seq. */
  private async resync(): Promise<void> {
    await this.loadDialogs();
    for (const thread of this.messages.all()) await this.catchUp(thread.dialogId);
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
      const onVisibility = () => (this.view.pageVisible.value = doc.visibilityState !== 'hidden');
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
    this.cleanups.push(effect(() => this.markReadWhenSeen()));
    this.cleanups.push(effect(() => this.saveView()));
  }

  /** When a dialog is open and the page visible, its newest message from someone else counts as read. */
  private markReadWhenSeen(): void {
    const v = this.view.view.value;
    if (!this.view.open.value || !this.view.pageVisible.value || v.kind !== 'dialog') return;
    const dialog: Dialog | undefined = this.dialogs.byId(v.id);
    const items = this.messages.thread(v.id).items.value;
    let newest: ChatMessage | undefined;
    for (let i = items.length - 1; i >= 0; i--) {
      const m = items[i];
      if (m && m.id !== null && m.seq !== null && m.sender_id !== this.opts.userId) {
        newest = m;
        break;
      }
    }
    if (!newest || newest.id === null || newest.seq === null) return;
    const alreadyRead = dialog !== undefined && newest.seq <= dialog.last_read_seq && dialog.unread_count === 0;
    if (alreadyRead || (this.readPosted.get(v.id) ?? 0) >= newest.seq) return;
    this.readPosted.set(v.id, newest.seq);
    const dialogId = v.id;
    this.rest.read(dialogId, newest.id).then(
      (answer) => this.dialogs.setRead(dialogId, answer.seq, answer.unread_count),
      (err: unknown) => {
        this.readPosted.delete(dialogId);
        this.handleError(err, true);
      },
    );
  }
}
