// Message rules: sending (idempotent per client_msg_id), paging history, and read positions;
// each committed change is published once per distinct frame.
import type { EventBus } from '../bus/types.ts';
import { AppError } from '../errors.ts';
import type { Message, Page } from '../realtime/protocol.ts';
import type { DialogView, MemberState, MessageQuery, MessageRow, Store } from '../store/types.ts';
import { type Caller, type DialogService, dialogNotFound, frame, toWireMessage } from '../dialogs/service.ts';

export interface ReadAnswer {
  dialog_id: number;
  user_id: string;
  message_id: number;
  seq: number;
  unread_count: number;
}

export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly dialogs: DialogService,
    private readonly now: () => number,
  ) {}

  async send(caller: Caller, dialogId: number, text: string, clientMsgId: string | null): Promise<{ message: Message; created: boolean }> {
    const result = await this.store.sendMessage(caller.widget.id, {
      dialogId,
      senderId: caller.userId,
      text,
      clientMsgId,
      now: this.now(),
    });
    switch (result.kind) {
      case 'not_member':
        throw dialogNotFound();
      case 'client_msg_id_conflict':
        throw new AppError('client_msg_id_conflict', 409, 'This client_msg_id was already used for a message in another dialog.');
      case 'duplicate':
        return { message: toWireMessage(result.message), created: false };
      case 'created': {
        const message = toWireMessage(result.message);
        await this.publishSent(caller, result.message, result.dialogType, result.members);
        return { message, created: true };
      }
    }
  }

  async list(caller: Caller, dialogId: number, query: MessageQuery): Promise<Page<Message>> {
    const membership = await this.store.getMembership(caller.widget.id, dialogId, caller.userId);
    if (!membership) throw dialogNotFound();
    const rows = await this.store.listMessages(caller.widget.id, dialogId, query);
    let next: number | null = null;
    if (query.after !== undefined) {
      const newest = rows.at(-1);
      if (newest && newest.seq < membership.lastSeq) next = newest.seq;
    } else {
      const oldest = rows[0];
      if (rows.length === query.limit && oldest && oldest.seq > 1) next = oldest.seq;
    }
    return { items: rows.map(toWireMessage), next_cursor: next === null ? null : String(next) };
  }

  async markRead(caller: Caller, dialogId: number, messageId: number): Promise<ReadAnswer> {
    const result = await this.store.markRead(caller.widget.id, dialogId, caller.userId, messageId);
    if (result.kind === 'not_member') throw dialogNotFound();
    if (result.kind === 'message_not_found') throw new AppError('message_not_found', 404, 'That message is not in this dialog.');
    const answer: ReadAnswer = {
      dialog_id: dialogId,
      user_id: caller.userId,
      message_id: result.messageId,
      seq: result.seq,
      unread_count: Math.max(0, result.lastSeq - result.seq),
    };
    if (result.changed) {
      const widgetId = caller.widget.id;
      await this.bus.publish({
        widgetId,
        userIds: result.members.map((m) => m.userId),
        frame: frame({ type: 'message.read', dialog_id: dialogId, user_id: caller.userId, message_id: answer.message_id, seq: answer.seq }),
      });
      const dialog = await this.dialogs.get(caller, dialogId);
      await this.bus.publish({ widgetId, userIds: [caller.userId], frame: frame({ type: 'dialog.updated', dialog }) });
    }
    return answer;
  }

  /** message.new once for all members; dialog.updated per member, since each has their own unread count. */
  private async publishSent(caller: Caller, row: MessageRow, type: DialogView['type'], members: MemberState[]): Promise<void> {
    const widgetId = caller.widget.id;
    const message = toWireMessage(row);
    await this.bus.publish({ widgetId, userIds: members.map((m) => m.userId), frame: frame({ type: 'message.new', message }) });
    // The send result holds everything a dialog needs; build each member's view without reading it back.
    const views: DialogView[] = members.map((m) => ({
      id: row.dialogId,
      type,
      lastSeq: row.seq,
      lastMessage: row,
      updatedAt: row.createdAt,
      lastReadSeq: m.lastReadSeq,
      activityAt: row.createdAt,
      members,
    }));
    const dialogs = await this.dialogs.toWire(caller.widget, views);
    for (const [i, m] of members.entries()) {
      await this.bus.publish({ widgetId, userIds: [m.userId], frame: frame({ type: 'dialog.updated', dialog: dialogs[i]! }) });
    }
  }
}
