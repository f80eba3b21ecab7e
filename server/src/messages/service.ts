// Message rules: sending (idempotent per client_msg_id), paging history, read and delivered
// positions. Each change and the events it causes are committed in one transaction, then published.
import type { EventBus } from '../bus/types.ts';
import { type Caller, type DialogService, type UserMap, dialogNotFound, toWireMessage } from '../dialogs/service.ts';
import { AppError } from '../errors.ts';
import type { Message, Page, ReadAnswer } from '../realtime/protocol.ts';
import { publishStreamed, streamBody } from '../realtime/publish.ts';
import type { CreatedMessage, DialogView, MessageQuery, OutEvent, Store, WidgetRow } from '../store/types.ts';
import type { UsersDirectory } from '../users/directory.ts';

export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly dialogs: DialogService,
    private readonly directory: UsersDirectory,
    private readonly now: () => number,
    /** Called after a user's message is committed (ends their typing indicator). */
    private readonly onSent: (widgetId: number, userId: string, dialogId: number) => void = () => {},
  ) {}

  async send(caller: Caller, dialogId: number, text: string, clientMsgId: string | null): Promise<{ message: Message; created: boolean }> {
    // Profiles are looked up before the transaction, which must not wait on the network.
    const users = await this.directory.getMany(caller.widget, await this.store.getMemberIds(caller.widget.id, dialogId));
    const result = await this.store.sendMessage(
      caller.widget.id,
      { dialogId, senderId: caller.userId, text, clientMsgId, now: this.now() },
      (created) => this.sentEvents(caller.widget, created, users),
    );
    switch (result.kind) {
      case 'not_member':
        throw dialogNotFound();
      case 'client_msg_id_conflict':
        throw new AppError('client_msg_id_conflict', 409, 'This client_msg_id was already used for a message in another dialog.');
      case 'duplicate':
        return { message: toWireMessage(result.message), created: false };
      case 'created':
        await publishStreamed(this.bus, caller.widget.id, result.events);
        this.onSent(caller.widget.id, caller.userId, dialogId);
        return { message: toWireMessage(result.message), created: true };
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
    const widget = caller.widget;
    const result = await this.store.markRead(widget.id, dialogId, caller.userId, messageId, (change) => [
      {
        userIds: change.members.map((m) => m.userId),
        body: streamBody({ type: 'message.read', dialog_id: dialogId, user_id: caller.userId, message_id: change.messageId, seq: change.seq }),
      },
    ]);
    if (result.kind === 'not_member') throw dialogNotFound();
    if (result.kind === 'message_not_found') throw new AppError('message_not_found', 404, 'That message is not in this dialog.');
    await publishStreamed(this.bus, widget.id, result.events);
    if (result.changed) {
      // The reader's other tabs also get the dialog with its new unread count.
      const dialog = await this.dialogs.get(caller, dialogId);
      const body = streamBody({ type: 'dialog.updated', dialog });
      await publishStreamed(this.bus, widget.id, await this.store.appendEvents(widget.id, [{ userIds: [caller.userId], body }], this.now()));
    }
    return {
      dialog_id: dialogId,
      user_id: caller.userId,
      message_id: result.messageId,
      seq: result.seq,
      unread_count: Math.max(0, result.lastSeq - result.seq),
    };
  }

  /** A recipient's connection got messages up to `seq` (or, with no target, the user came online). */
  async markDelivered(widgetId: number, userId: string, target: { dialogId: number; seq: number } | null): Promise<void> {
    const changes = await this.store.markDelivered(widgetId, userId, target, (c) => [
      { userIds: c.members.map((m) => m.userId), body: streamBody({ type: 'message.delivered', dialog_id: c.dialogId, user_id: userId, seq: c.seq }) },
    ]);
    for (const c of changes) await publishStreamed(this.bus, widgetId, c.events);
  }

  /** message.new once for all members; dialog.updated per member, since each has their own unread count. */
  private sentEvents(widget: WidgetRow, c: CreatedMessage, users: UserMap): OutEvent[] {
    const { message: row, members } = c;
    const out: OutEvent[] = [
      {
        userIds: members.map((m) => m.userId),
        body: streamBody({ type: 'message.new', message: toWireMessage(row) }),
        receipt: { dialogId: row.dialogId, seq: row.seq, senderId: row.senderId },
      },
    ];
    for (const m of members) {
      const view: DialogView = {
        id: row.dialogId,
        type: c.dialogType,
        lastSeq: row.seq,
        lastMessage: row,
        updatedAt: row.createdAt,
        lastReadSeq: m.lastReadSeq,
        activityAt: row.createdAt,
        members,
      };
      out.push({ userIds: [m.userId], body: streamBody({ type: 'dialog.updated', dialog: this.dialogs.wire(widget, view, users) }) });
    }
    return out;
  }
}
