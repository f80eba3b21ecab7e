// The wire shapes of stored rows (docs/api.md "Shapes").
import type { Dialog, Message, User } from '../realtime/protocol.ts';
import type { DialogView, MessageRow } from '../store/types.ts';
import { type Lookup, placeholderUser } from '../users/directory.ts';

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

/** A dialog as its viewer sees it, from profiles and presence already looked up. */
export function toWireDialog(v: DialogView, users: UserMap, online: ReadonlySet<string>): Dialog {
  const user = (id: string): User => users.get(id)?.user ?? placeholderUser(id);
  return {
    id: v.id,
    type: v.type,
    title: v.title,
    member_count: v.memberCount,
    members: v.members.map((m) => user(m.userId)),
    members_state: v.members.map((m) => ({
      user_id: m.userId,
      last_read_seq: m.lastReadSeq,
      last_delivered_seq: m.lastDeliveredSeq,
      online: online.has(m.userId),
      last_seen_at: m.lastSeenAt === null ? null : new Date(m.lastSeenAt).toISOString(),
    })),
    last_message: v.lastMessage ? toWireMessage(v.lastMessage) : null,
    unread_count: Math.max(0, v.lastSeq - v.lastReadSeq),
    last_read_seq: v.lastReadSeq,
    updated_at: new Date(v.updatedAt).toISOString(),
  };
}
