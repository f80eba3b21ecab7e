// What a chat does inside its conversations, loaded after the launcher shows (when the browser is
// idle, or on the first open): histories, sending, drafts, read marks, typing, and the sound and
// notifications. The launcher's part (the link, the dialog list, unread counts) is state/chat.ts.
import { batch, effect } from '@preact/signals-core';
import type { Attachment, ClientFrame, Dialog, Message, User } from '@imbachat/server/protocol';
import type { PageCall } from '../contract.ts';
import '../i18n/english.ts';
import { t } from '../i18n/index.ts';
import { ApiError, type RestClient } from '../transport/rest.ts';
import { TalkApi } from '../transport/talk.ts';
import { Alerts } from './alerts.ts';
import type { DialogsModel } from './dialogs.ts';
import { Drafts } from './drafts.ts';
import { Files } from './files.ts';
import { dialogName, gist } from './gist.ts';
import { Groups, loadGroups } from './groups.ts';
import { MessagesModel } from './messages.ts';
import type { LaterFrame } from './frames.ts';
import { Outbox, type TabStorage } from './outbox.ts';
import { PresenceModel } from './presence.ts';
import { Reads } from './reads.ts';
import { Receipts } from './receipts.ts';
import type { SessionModel } from './session.ts';
import { Threads } from './threads.ts';
import { TypingSender } from './typing.ts';
import type { View, ViewModel } from './view.ts';

/** What the page's load options say about alerts (the person's own choices live in Alerts). */
export interface AlertOptions {
  titleBadge: boolean;
  sound: boolean;
  notifications: boolean;
}

/** What this part uses of its chat: the models and the link, never the chat's own fields. */
export interface ChatCore {
  /** The chat server's address (attachments' links are paths on it). */
  base: string;
  devId: string;
  session: SessionModel;
  dialogs: DialogsModel;
  view: ViewModel;
  rest: RestClient;
  alertOptions: AlertOptions;
  prefs: Pick<Storage, 'getItem' | 'setItem'> | null | undefined;
  sendFrame(frame: ClientFrame): boolean;
  fetchDialog(id: number): Promise<void>;
  /** Of this browser's tabs, this is the one to alert. */
  alertsHere(): boolean;
  /** The site's storage, shared by its tabs (drafts). */
  siteStorage(): TabStorage | null | undefined;
  /** The tab's own storage (messages still being sent). */
  tabStorage(): TabStorage | null | undefined;
  /** Where the tab keeps the panel's state (open, and which dialog) for the next page. */
  viewKey: string;
  /** Tells the page about an error (the `error` event). */
  fail(code: string, message: string): void;
  onError(err: unknown, quiet?: boolean): void;
  disposed(): boolean;
}

export class FullChat {
  readonly messages = new MessagesModel();
  readonly presence = new PresenceModel();
  readonly alerts: Alerts;
  readonly groups: Groups;
  readonly receipts: Receipts;
  /** Attachments: the composer's uploads and the lightbox (state/files.ts). */
  readonly files: Files;
  /** Everyone seen in a dialog this page, by id: system messages name people who have left. */
  readonly people = new Map<string, User>();
  readonly #outbox: Outbox;
  readonly #threads: Threads;
  readonly #reads: Reads;
  readonly #drafts: Drafts;
  readonly #typingSender: TypingSender;
  readonly #cleanups: (() => void)[] = [];
  readonly #talk: TalkApi;

  readonly #c: ChatCore;

  constructor(c: ChatCore) {
    this.#c = c;
    const userId = c.session.userId;
    const tag = `imbachat:${c.devId}:${userId}`;
    this.alerts = new Alerts({ prefix: tag, ...(c.prefs !== undefined ? { storage: c.prefs } : {}) });
    this.setAlertOptions(c.alertOptions);
    const rest = new TalkApi(c.rest);
    this.#talk = rest;
    const models = { userId, rest, view: c.view, dialogs: c.dialogs, messages: this.messages };
    this.#outbox = new Outbox({
      ...models,
      key: `imbachat:outbox:${c.devId}:${userId}`,
      storage: () => c.tabStorage(),
      onError: (err, quiet) => c.onError(err, quiet),
    });
    this.#threads = new Threads({ ...models, fetchDialog: (id) => c.fetchDialog(id), onError: (err) => c.onError(err), disposed: () => c.disposed() });
    this.#reads = new Reads({ ...models, onError: (err) => c.onError(err, true) });
    this.#drafts = new Drafts(`imbachat:draft:${c.devId}:${userId}`, () => c.siteStorage());
    this.#typingSender = new TypingSender((frame) => c.sendFrame(frame));
    this.groups = new Groups(c.rest, c.dialogs);
    this.receipts = new Receipts(userId);
    this.files = new Files({ base: c.base, devId: c.devId, session: c.session, talk: rest, messages: this.messages, onError: (err, quiet) => c.onError(err, quiet) });
    this.#cleanups.push(
      // Whatever brought a dialog (a page, a fetch, dialog.updated, an answer of ours): its
      // members' names and positions.
      effect(() => {
        for (const d of c.dialogs.items.value) {
          for (const u of d.members) this.people.set(u.user_id, u);
          this.receipts.seed(d);
        }
      }),
      // The title counts what is worth coming back for: muted dialogs are left out of it.
      effect(() => this.alerts.setTitle(!c.view.pageVisible.value, c.dialogs.items.value.reduce((n, d) => n + (d.muted ? 0 : d.unread_count), 0))),
      effect(() => this.#reads.markSeen()),
      effect(() => this.#saveView()),
    );
    this.#outbox.restore();
    // The panel came back open on a dialog (as the tab left it on the previous page): its history.
    const v = c.view.view.peek();
    if (c.view.restored.peek() && v.kind === 'dialog') this.showDialog(v.id);
  }

  dispose(): void {
    this.presence.dispose();
    this.alerts.dispose();
    this.#outbox.dispose();
    this.#drafts.dispose();
    this.files.dispose();
    for (const stop of this.#cleanups.splice(0)) stop();
  }

  setAlertOptions(o: AlertOptions): void {
    this.alerts.titleBadge.value = o.titleBadge;
    this.alerts.soundAllowed.value = o.sound;
    this.alerts.notificationsAllowed.value = o.notifications;
    this.alerts.refreshDesktop();
  }

  // ---- what the chat tells this part ------------------------------------------------------

  /** Dialogs the server sent: their direct members' presence, as a snapshot. */
  seed(items: Dialog[]): void {
    for (const d of items) this.presence.seed(d, this.#c.session.userId);
  }

  /** A frame about conversations (a message after the dialog list took it, typing, presence). */
  apply(frame: LaterFrame): void {
    const me = this.#c.session.userId;
    switch (frame.type) {
      case 'message.new':
        return this.#message(frame.message);
      case 'message.read':
        return this.receipts.set(frame.dialog_id, { read: frame.seq }, frame.user_id);
      case 'message.delivered':
        if (frame.user_id !== me) this.receipts.set(frame.dialog_id, { delivered: frame.seq });
        return;
      case 'typing.start':
        if (frame.user_id !== me) this.presence.startTyping(frame.dialog_id, frame.user_id);
        return;
      case 'typing.stop':
        return this.presence.stopTyping(frame.user_id, frame.dialog_id);
      case 'presence':
        return this.presence.set(frame.user_id, { online: frame.online, last_seen_at: frame.last_seen_at });
    }
  }

  /** The open thread and the alerts. */
  #message(m: Message): void {
    const { session, dialogs, view } = this.#c;
    const me = session.userId;
    if (m.sender_id !== null) this.presence.stopTyping(m.sender_id, m.dialog_id);
    const thread = this.messages.existing(m.dialog_id);
    if (thread && thread.status.peek() === 'loaded') {
      if (m.seq > thread.lastSeq() + 1) void this.#threads.catchUp(m.dialog_id);
      else thread.merge([m]);
    }
    const d = dialogs.byId(m.dialog_id);
    // A muted dialog is silent (its unread count still shows); system messages are never unread.
    if (m.sender_id === me || m.kind === 'system' || d?.muted) return;
    const hidden = !view.pageVisible.peek();
    const sender = d?.type === 'group' ? d.members.find((u) => u.user_id === m.sender_id)?.name : undefined;
    this.alerts.incoming({
      title: d ? dialogName(d, me) : t('newMessage'),
      body: sender ? `${sender}: ${gist(m)}` : gist(m),
      // One notification per dialog replaces the previous one.
      tag: `imbachat-${this.#c.devId}-${m.dialog_id}`,
      watching: view.open.peek() && !hidden,
      hidden,
      here: this.#c.alertsHere(),
      onClick: () => this.showDialog(m.dialog_id),
    });
  }

  /** The link is up (again): what waits to be sent goes now. */
  connected(): void {
    this.#outbox.flush();
  }

  /** A reconnect that could not resume: every loaded thread fetches what it missed. */
  resync(): Promise<void> {
    return this.#threads.catchUpAll();
  }

  // ---- the panel ------------------------------------------------------------------------------

  showDialog(id: number): void {
    const { view, dialogs } = this.#c;
    const d = dialogs.byId(id);
    batch(() => {
      // Where "New messages" goes: after what was read when the dialog opened (it stays put while open).
      view.unreadAfter.value = d && d.unread_count > 0 ? d.last_read_seq : null;
      view.notice.value = null;
      view.view.value = { kind: 'dialog', id };
      view.open.value = true;
      this.files.closeImage();
    });
    void this.#threads.loadThread(id);
  }

  dismissNotice(): void {
    this.#c.view.notice.value = null;
  }

  /** A step of the panel with no loading of its own but its code's (the groups chunk; the panel
   *  shows the wait, or the failure with "Try again"): starting a chat, a group's info. */
  show(v: Extract<View, { kind: 'new' | 'group' }>): void {
    void loadGroups().catch(() => {});
    batch(() => {
      this.#c.view.notice.value = null;
      this.#c.view.view.value = v;
    });
    if (v.kind === 'group') void this.groups.refresh(v.id).catch(() => {}); // a fresh snapshot of who is online
  }

  /** The dialog with that user, created on the server if needed (the chat opened the panel). */
  async openDialogWith(userId: string): Promise<void> {
    const { view, dialogs } = this.#c;
    if (userId === this.#c.session.userId) {
      this.#c.fail('cannot_message_self', 'You cannot write to yourself.');
      batch(() => {
        view.view.value = { kind: 'list' };
        view.notice.value = 'cannotMessageSelf';
      });
      return;
    }
    const known = dialogs.withUser(userId);
    if (known) this.showDialog(known.id);
    try {
      const dialog = await this.#talk.openDialog(userId);
      if (this.#c.disposed()) return;
      dialogs.upsert(dialog);
      const v = view.view.peek();
      if (!known && v.kind === 'opening' && v.userId === userId) this.showDialog(dialog.id);
    } catch (err) {
      if (this.#c.disposed() || known) return;
      const code = err instanceof ApiError ? err.code : 'network';
      view.notice.value = code === 'user_not_found' ? 'userNotFound' : code === 'network' ? 'networkError' : 'genericError';
      view.view.value = { kind: 'list' };
      this.#c.fail(code, err instanceof Error ? err.message : String(err));
    }
  }

  /** The group calls of the page API (the app passes them on unchecked; state/manage-groups.ts, in
   *  the groups chunk). Without that chunk (offline) they fail as they would without the server:
   *  openGroup says so above the list; all reject with a `network` error. */
  async page(call: PageCall, arg: unknown): Promise<unknown> {
    const { view } = this.#c;
    const code = await loadGroups().catch((err: unknown) => {
      if (call === 'openGroup' && !this.#c.disposed())
        batch(() => {
          view.notice.value = 'networkError';
          view.view.value = { kind: 'list' };
          view.open.value = true;
        });
      throw new ApiError('network', 0, `Could not load the groups code: ${String(err)}`);
    });
    return code.pageCall({ core: this.#c, groups: this.groups, show: (id) => this.showDialog(id) }, call, arg);
  }

  /** A person's name in a dialog: from its members, else from any dialog seen this page. */
  nameOf(dialog: Dialog | undefined, userId: string): string | null {
    return (dialog?.members.find((m) => m.user_id === userId) ?? this.people.get(userId))?.name ?? null;
  }

  #saveView(): void {
    const v = this.#c.view.view.value;
    const state = { open: this.#c.view.open.value, dialog: v.kind === 'dialog' ? v.id : null };
    try {
      this.#c.tabStorage()?.setItem(this.#c.viewKey, JSON.stringify(state));
    } catch {
      // storage blocked: the panel starts closed on the next page
    }
  }

  // ---- histories (state/threads.ts) -------------------------------------------------------

  loadThread(dialogId: number): Promise<void> {
    return this.#threads.loadThread(dialogId);
  }
  loadOlder(dialogId: number): Promise<void> {
    return this.#threads.loadOlder(dialogId);
  }

  // ---- sending (state/outbox.ts) ----------------------------------------------------------

  /** Sends the text and the uploaded files (either may be empty, not both). */
  send(dialogId: number, text: string, attachments: Attachment[] = []): boolean {
    const body = text.trim();
    if ((!body && attachments.length === 0) || this.#c.session.fatal.peek()) return false;
    this.typing(dialogId, false);
    this.#outbox.add(dialogId, body, attachments);
    return true;
  }

  /** Sends a pending or failed message again (the Retry button). */
  deliver(dialogId: number, key: string): Promise<void> {
    return this.#outbox.deliver(dialogId, key);
  }

  /** Drops a message the server refused (the Delete button). */
  discard(dialogId: number, key: string): void {
    this.#outbox.discard(dialogId, key);
  }

  /** Takes a refused message back into the composer to be changed and sent again (Edit). */
  editFailed(dialogId: number, key: string): void {
    const text = this.#outbox.discard(dialogId, key);
    if (text === null) return;
    this.setDraft(dialogId, text);
    this.#c.view.edit.value = { dialogId, text };
  }

  // ---- typing and drafts (state/typing.ts, state/drafts.ts) ------------------------------

  /** The composer changed: tell the others we are typing (throttled) or stopped. */
  typing(dialogId: number, active: boolean): void {
    this.#typingSender.update(dialogId, active);
  }

  draft(dialogId: number): string {
    return this.#drafts.get(dialogId);
  }
  setDraft(dialogId: number, text: string): void {
    this.#drafts.set(dialogId, text);
  }
  /** A draft typed in another tab, for the composer of that dialog. */
  get draftElsewhere() {
    return this.#drafts.elsewhere;
  }
}
