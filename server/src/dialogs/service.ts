// Dialog rules: opening a direct dialog with a user the host knows, listing, and the wire shape.
import type { EventBus } from '../bus/types.ts';
import { AppError } from '../errors.ts';
import type { Dialog, Message, Page, User } from '../realtime/protocol.ts';
import { publishStreamed, streamBody } from '../realtime/publish.ts';
import type { DialogCursor, DialogView, MessageRow, Store, WidgetRow } from '../store/types.ts';
import type { Lookup, UsersDirectory } from '../users/directory.ts';

/** Who is asking: the widget the request is for and the token's user. */
export interface Caller {
  widget: WidgetRow;
  userId: string;
}

export interface PresenceView {
  isOnline(widgetId: number, userId: string): boolean;
}

export type UserMap = Map<string, Lookup>;

export function toWireMessage(m: MessageRow): Message {
  return {
    id: m.id,
    dialog_id: m.dialogId,
    seq: m.seq,
    sender_id: m.senderId,
    text: m.text,
    client_msg_id: m.clientMsgId,
    created_at: new Date(m.createdAt).toISOString(),
  };
}

function encodeCursor(v: DialogView): string {
  return Buffer.from(`${v.activityAt}.${v.id}`).toString('base64url');
}

function decodeCursor(cursor: string): DialogCursor {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AppError('validation_failed', 400, 'cursor is not valid; pass back a next_cursor value unchanged.');
  return { activityAt: Number(m[1]), dialogId: Number(m[2]) };
}

export function dialogNotFound(): AppError {
  return new AppError('dialog_not_found', 404, 'No such dialog, or you are not one of its members.');
}

export class DialogService {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly directory: UsersDirectory,
    private readonly presence: PresenceView,
    private readonly now: () => number,
  ) {}

  async open(caller: Caller, partnerId: string): Promise<{ dialog: Dialog; created: boolean }> {
    if (partnerId === caller.userId) throw new AppError('cannot_message_self', 400, 'You cannot open a dialog with yourself.');
    const lookup = await this.directory.verify(caller.widget, partnerId);
    if (lookup.status === 'missing') {
      throw new AppError('user_not_found', 404, `The site does not know a user with id "${partnerId}".`);
    }
    const { dialogId, created } = await this.store.openDirectDialog(caller.widget.id, caller.userId, partnerId, this.now());
    const dialog = await this.get(caller, dialogId);
    if (created) {
      // The opener's other tabs learn of the new (still empty) dialog; the partner does with its first message.
      const events = await this.store.appendEvents(
        caller.widget.id,
        [{ userIds: [caller.userId], body: streamBody({ type: 'dialog.updated', dialog }) }],
        this.now(),
      );
      await publishStreamed(this.bus, caller.widget.id, events);
    }
    return { dialog, created };
  }

  async get(caller: Caller, dialogId: number): Promise<Dialog> {
    const view = await this.store.getDialogForMember(caller.widget.id, dialogId, caller.userId);
    if (!view) throw dialogNotFound();
    return (await this.toWire(caller.widget, [view]))[0]!;
  }

  async list(caller: Caller, cursor: string | undefined, limit: number): Promise<Page<Dialog>> {
    const views = await this.store.listDialogsForMember(
      caller.widget.id,
      caller.userId,
      cursor ? decodeCursor(cursor) : null,
      limit + 1,
    );
    const page = views.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.toWire(caller.widget, page),
      next_cursor: views.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /** Wire dialogs for one viewer, with every member's profile looked up in one directory call. */
  async toWire(widget: WidgetRow, views: DialogView[]): Promise<Dialog[]> {
    const users = await this.directory.getMany(
      widget,
      views.flatMap((v) => v.members.map((m) => m.userId)),
    );
    return views.map((v) => this.wire(widget, v, users));
  }

  /** The wire shape of a dialog view, from profiles already looked up. */
  wire(widget: WidgetRow, v: DialogView, users: UserMap): Dialog {
    const user = (id: string): User => users.get(id)?.user ?? { user_id: id, name: `User ${id}`, avatar_url: null, profile_url: null };
    return {
      id: v.id,
      type: v.type,
      members: v.members.map((m) => user(m.userId)),
      members_state: v.members.map((m) => ({
        user_id: m.userId,
        last_read_seq: m.lastReadSeq,
        last_delivered_seq: m.lastDeliveredSeq,
        online: this.presence.isOnline(widget.id, m.userId),
        last_seen_at: m.lastSeenAt === null ? null : new Date(m.lastSeenAt).toISOString(),
      })),
      last_message: v.lastMessage ? toWireMessage(v.lastMessage) : null,
      unread_count: Math.max(0, v.lastSeq - v.lastReadSeq),
      last_read_seq: v.lastReadSeq,
      updated_at: new Date(v.updatedAt).toISOString(),
    };
  }
}
