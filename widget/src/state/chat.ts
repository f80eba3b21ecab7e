// One signed-in user's chat: creates the models, wires the REST client and the WebSocket into
// them, and holds the actions the UI and the page API call. A user switch disposes it whole.
import { batch, effect } from '@preact/signals';
import { TYPING_THROTTLE_MS, type Dialog, type Message, type ServerFrame } from '@imbachat/server/protocol';
import { backoffDelay } from '../transport/backoff.ts';
import type { EventMap, EventName } from '../contract.ts';
import { t } from '../i18n/index.ts';
import { Connection, type SocketFactory } from '../transport/connection.ts';
import { ApiError, RestClient } from '../transport/rest.ts';
import { Alerts } from './alerts.ts';
import { DialogsModel, partnerOf } from './dialogs.ts';
import { MessagesModel, type ChatMessage } from './messages.ts';
import { PresenceModel } from './presence.ts';
import { fatalFromCode, SessionModel } from './session.ts';
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
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Where the person's notification choices are kept; localStorage by default. */
  prefs?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

const PAGE = 50;
/** Opening a dialog loads back at most this many pages to reach the first unread message. */
const UNREAD_PAGES = 10;
/** Automatic resends of a message that got no answer: full jitter from 1 s, doubling to 15 s. */
const RESEND_BACKOFF = { minMs: 1000, maxMs: 15_000 };

interface Outgoing {
  dialog_id: number;
  text: string;
  client_msg_id: string;
  created_at: string;
}

export class Chat {
  readonly session: SessionModel;
  readonly dialogs: DialogsModel;
  readonly messages = new MessagesModel();
  readonly view = new ViewModel();
  readonly presence = new PresenceModel();
  readonly alerts: Alerts;
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
    this.connection = this.makeConnection(this.connectionUrl);
  }

  start(): void {
    this.connection.connect();
    void this.loadMe();
    void this.loadDialogs();
    this.watch();
    this.restoreOutbox();
  }

  dispose(): void {
    this.disposed = true;
    this.connection.close();
    this.rest.abort();
    this.presence.dispose();
    this.alerts.dispose();
    for (const r of this.resends.values()) clearTimeout(r.timer);
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
    this.flushOutbox();
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
      return this.showList();
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
      if (!this.dialogs.byId(dialogId)) void this.rest.dialog(dialogId).then((d) => this.dialogs.upsert(d), () => {});
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
    const clientMsgId = uuid();
    const message: ChatMessage = {
      key: `c:${clientMsgId}`,
      id: null,
      seq: null,
      dialog_id: dialogId,
      sender_id: this.opts.userId,
      text: body,
      client_msg_id: clientMsgId,
      created_at: new Date().toISOString(),
      status: 'pending',
    };
    this.messages.thread(dialogId).addLocal(message);
    this.saveOutbox();
    void this.deliver(dialogId, message.key);
    return true;
  }

  private readonly sending = new Set<string>();
  private readonly resends = new Map<string, { attempt: number; timer?: ReturnType<typeof setTimeout> }>();

  /**
   * Sends (again) a local message; the same client_msg_id makes a repeat harmless, so a message
   * that got no answer stays pending and is resent with backoff until the server acknowledges it.
   * Only a refusal (too long, no such dialog…) marks it failed, with a Retry button.
   */
  async deliver(dialogId: number, key: string): Promise<void> {
    const thread = this.messages.thread(dialogId);
    const m = thread.find(key);
    if (!m || m.id !== null || !m.client_msg_id || this.sending.has(key) || this.disposed) return;
    const resend = this.resends.get(key);
    clearTimeout(resend?.timer);
    this.sending.add(key);
    if (m.status !== 'pending') thread.update(key, { status: 'pending' });
    try {
      const saved = await this.rest.send(dialogId, m.text, m.client_msg_id);
      if (this.disposed) return;
      this.resends.delete(key);
      thread.merge([saved]);
      this.dialogs.noteMessage(saved);
    } catch (err) {
      if (this.disposed) return;
      const code = err instanceof ApiError ? err.code : 'network';
      const status = err instanceof ApiError ? err.status : 0;
      if (code === 'network' || status >= 500 || status === 429 || status === 401) {
        // No answer, or the server could not take it now: try again later (after a new token for 401).
        const attempt = resend?.attempt ?? 0;
        const entry: { attempt: number; timer?: ReturnType<typeof setTimeout> } = { attempt: attempt + 1 };
        if (status !== 401) entry.timer = setTimeout(() => void this.deliver(dialogId, key), backoffDelay(attempt, RESEND_BACKOFF));
        this.resends.set(key, entry);
        if (status === 401) this.handleError(err, true);
      } else {
        this.resends.delete(key);
        thread.update(key, { status: 'failed', error: code });
        this.handleError(err, true);
      }
    } finally {
      this.sending.delete(key);
      if (!this.disposed) this.saveOutbox();
    }
  }

  /** Resends every message still waiting now (the link is back, a new token came). */
  private flushOutbox(): void {
    for (const thread of this.messages.all())
      for (const m of thread.items.peek()) if (m.id === null && m.status === 'pending') void this.deliver(thread.dialogId, m.key);
  }

  /** Messages not yet acknowledged are kept in the tab's storage, so a reload does not lose them. */
  private saveOutbox(): void {
    const out: Outgoing[] = [];
    for (const thread of this.messages.all())
      for (const m of thread.items.peek())
        if (m.id === null && m.status === 'pending' && m.client_msg_id)
          out.push({ dialog_id: m.dialog_id, text: m.text, client_msg_id: m.client_msg_id, created_at: m.created_at });
    try {
      if (out.length) this.storage()?.setItem(this.outboxKey, JSON.stringify(out));
      else this.storage()?.removeItem(this.outboxKey);
    } catch {
      // storage full or blocked: the messages are still sent from memory
    }
  }

  private restoreOutbox(): void {
    let saved: Outgoing[] = [];
    try {
      const raw = this.storage()?.getItem(this.outboxKey);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      if (Array.isArray(parsed)) saved = parsed as Outgoing[];
    } catch {
      return;
    }
    for (const o of saved) {
      if (typeof o?.client_msg_id !== 'string' || typeof o.text !== 'string' || typeof o.dialog_id !== 'number') continue;
      const thread = this.messages.thread(o.dialog_id);
      const key = `c:${o.client_msg_id}`;
      if (thread.find(key)) continue;
      thread.addLocal({ key, id: null, seq: null, dialog_id: o.dialog_id, sender_id: this.opts.userId, text: o.text, client_msg_id: o.client_msg_id, created_at: o.created_at, status: 'pending' });
      void this.deliver(o.dialog_id, key);
    }
  }

  private get outboxKey(): string {
    return `imbachat:outbox:${this.opts.devId}:${this.opts.userId}`;
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
      onState: (state, info) => {
        const wasConnected = this.session.everConnected.peek();
        batch(() => {
          this.session.link.value = state;
          if (state === 'connected') this.session.everConnected.value = true;
          if (state === 'connected') this.session.failedAttempts.value = 0;
          else if (state === 'disconnected' && info.code !== 1000) this.session.failedAttempts.value = info.attempt + 1;
        });
        if (state === 'disconnected') this.presence.forgetLive(); // presence frames may be missed from here on
        if (state !== 'connected') return;
        if (!this.lastReadyResumed && (wasConnected || this.dialogs.status.peek() === 'loaded')) void this.resync();
        else if (wasConnected) void this.loadDialogs(); // presence is not replayed: take the current state
        this.flushOutbox();
      },
      onFrame: (frame) => this.onFrame(frame),
      onReady: (resumed) => (this.lastReadyResumed = resumed),
      onStop: (code) => {
        const fatal = fatalFromCode(code);
        this.session.fatal.value = fatal;
        this.opts.emit('error', { code: fatal, message: `The chat stopped: ${code}.` });
      },
    });
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready':
        this.session.me.value = { ...(this.session.me.peek() ?? {}), ...frame.user };
        this.maybeReady();
        return;
      case 'message.new':
        return this.onMessage(frame.message);
      case 'dialog.updated':
        this.presence.seed(frame.dialog, this.opts.userId);
        return this.dialogs.upsert(frame.dialog);
      case 'message.read':
        if (frame.user_id !== this.opts.userId) this.dialogs.setReceipt(frame.dialog_id, { read: frame.seq });
        else this.dialogs.ownRead(frame.dialog_id, frame.seq); // read in another tab
        return;
      case 'message.delivered':
        if (frame.user_id !== this.opts.userId) this.dialogs.setReceipt(frame.dialog_id, { delivered: frame.seq });
        return;
      case 'typing.start':
        if (frame.user_id !== this.opts.userId) this.presence.startTyping(frame.dialog_id, frame.user_id);
        return;
      case 'typing.stop':
        return this.presence.stopTyping(frame.user_id, frame.dialog_id);
      case 'presence':
        return this.presence.set(frame.user_id, { online: frame.online, last_seen_at: frame.last_seen_at });
      default:
        return;
    }
  }

  private onMessage(m: Message): void {
    const thread = this.messages.existing(m.dialog_id);
    if (thread && thread.status.peek() === 'loaded') {
      if (m.seq > thread.lastSeq() + 1) void this.catchUp(m.dialog_id);
      else thread.merge([m]);
    }
    this.dialogs.noteMessage(m);
    this.presence.stopTyping(m.sender_id, m.dialog_id);
    if (m.sender_id === this.opts.userId) return;
    this.opts.emit('message', { message: m, dialog_id: m.dialog_id });
    const d = this.dialogs.byId(m.dialog_id);
    const hidden = !this.view.pageVisible.peek();
    this.alerts.incoming({
      title: d ? partnerOf(d, this.opts.userId).name : t('newMessage'),
      body: m.text,
      tag: `imbachat-${this.opts.devId}-${m.dialog_id}`,
      watching: this.view.open.peek() && !hidden,
      hidden,
      onClick: () => this.showDialog(m.dialog_id),
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
      if (!this.disposed) this.handleError(err);
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
    if (err.status === 401 || err.code === 'widget_not_found' || err.code === 'origin_not_allowed') {
      const fatal = fatalFromCode(err.code);
      if (this.session.fatal.peek() !== fatal) {
        this.session.fatal.value = fatal;
        this.fail(fatal, err.message);
      }
      return;
    }
    if (!quiet) this.fail(err.code, err.message);
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
  }

  /** When a dialog is open and the page visible, its newest partner message counts as read. */
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

export function partnerName(chat: Chat, dialog: Dialog): string {
  return partnerOf(dialog, chat.session.userId).name;
}

function uuid(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  // randomUUID needs a secure context; host pages on plain http still deserve unique ids.
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
