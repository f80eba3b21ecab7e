// Applies what the socket says to the models. The server sends no dialog snapshot after each
// message or read, so the list moves on from the events themselves; a dialog it does not know yet
// is fetched once, and the frames about it wait for it, in order.
import type { Dialog, Message, ServerFrame } from '@imbachat/server/protocol';
import type { EventMap } from '../contract.ts';
import { t } from '../i18n/index.ts';
import type { Chat } from './chat.ts';
import { dialogName } from './dialogs.ts';

export class Frames {
  /** Dialogs being fetched, by id; settles (never rejects) once the answer is in the list, or not. */
  private readonly fetching = new Map<number, Promise<void>>();
  private disposed = false;

  constructor(
    private readonly chat: Chat,
    private readonly get: (id: number) => Promise<Dialog>,
    private readonly emit: (event: 'message', payload: EventMap['message']) => void,
    /** Notification tag prefix: one notification per dialog replaces the previous one. */
    private readonly tag: string,
  ) {}

  dispose(): void {
    this.disposed = true;
  }

  /** Adds a dialog the list does not know; concurrent asks for the same id share one request. */
  fetchDialog(id: number): Promise<void> {
    let p = this.fetching.get(id);
    if (!p) {
      p = this.get(id)
        .then((d) => this.dialog(d), () => {}) // gone or unreachable: its frames still apply
        .finally(() => this.fetching.delete(id));
      this.fetching.set(id, p);
    }
    return p;
  }

  apply(frame: ServerFrame, waited = false): void {
    if (this.disposed) return;
    const c = this.chat;
    const me = c.session.userId;
    const id = frame.type === 'message.new' ? frame.message.dialog_id : frame.type === 'message.read' || frame.type === 'message.delivered' ? frame.dialog_id : null;
    if (id !== null && !waited && (this.fetching.has(id) || (frame.type === 'message.new' && !c.dialogs.byId(id)))) {
      // A message in a dialog new to this list (someone wrote first, a group I was added to)
      // fetches it; until it is in, the frames about it queue behind the answer.
      void this.fetchDialog(id).then(() => this.apply(frame, true));
      return;
    }
    switch (frame.type) {
      case 'ready':
        c.session.me.value = { ...(c.session.me.peek() ?? {}), ...frame.user };
        return;
      case 'message.new':
        return this.message(frame.message);
      case 'dialog.updated':
        return this.dialog(frame.dialog);
      case 'message.read':
        if (frame.user_id !== me) c.dialogs.setReceipt(frame.dialog_id, { read: frame.seq });
        else c.dialogs.ownRead(frame.dialog_id, frame.seq); // read in another tab
        return;
      case 'message.delivered':
        if (frame.user_id !== me) c.dialogs.setReceipt(frame.dialog_id, { delivered: frame.seq });
        return;
      case 'typing.start':
        if (frame.user_id !== me) c.presence.startTyping(frame.dialog_id, frame.user_id);
        return;
      case 'typing.stop':
        return c.presence.stopTyping(frame.user_id, frame.dialog_id);
      case 'presence':
        return c.presence.set(frame.user_id, { online: frame.online, last_seen_at: frame.last_seen_at });
      default:
        return; // a frame type from a newer server
    }
  }

  /** A dialog appeared (or was fetched): merged, so a stale snapshot never rolls the list back. */
  private dialog(d: Dialog): void {
    this.chat.presence.seed(d, this.chat.session.userId);
    this.chat.dialogs.upsert(d);
  }

  private message(m: Message): void {
    const c = this.chat;
    const me = c.session.userId;
    const thread = c.messages.existing(m.dialog_id);
    if (thread && thread.status.peek() === 'loaded') {
      if (m.seq > thread.lastSeq() + 1) void c.catchUp(m.dialog_id);
      else thread.merge([m]);
    }
    c.dialogs.noteMessage(m);
    c.presence.stopTyping(m.sender_id, m.dialog_id);
    if (m.sender_id === me) return;
    this.emit('message', { message: m, dialog_id: m.dialog_id });
    const d = c.dialogs.byId(m.dialog_id);
    const hidden = !c.view.pageVisible.peek();
    const sender = d?.type === 'group' ? d.members.find((u) => u.user_id === m.sender_id)?.name : undefined;
    c.alerts.incoming({
      title: d ? dialogName(d, me) : t('newMessage'),
      body: sender ? `${sender}: ${m.text}` : m.text,
      tag: `${this.tag}${m.dialog_id}`,
      watching: c.view.open.peek() && !hidden,
      hidden,
      here: c.alertsHere(),
      onClick: () => c.showDialog(m.dialog_id),
    });
  }
}
