// The wire shapes of stored rows (docs/api.md "Shapes").
import type { FileLinks } from '../files/links.ts';
import type { Dialog, Message, User } from '../realtime/protocol.ts';
import type { DialogView, MemberState, MessageRow } from '../store/types.ts';
import { type Lookup, placeholderUser } from '../users/directory.ts';

export type UserMap = Map<string, Lookup>;

export function toWireMessage(m: MessageRow, links: FileLinks): Message {
  return {
    id: m.id,
    dialog_id: m.dialogId,
    seq: m.seq,
    sender_id: m.senderId,
    kind: m.kind,
    text: m.text,
    client_msg_id: m.clientMsgId,
    created_at: new Date(m.createdAt).toISOString(),
    system: m.system,
    attachments: m.attachments.map((a) => links.attachment(a)),
  };
}

/** A dialog as its viewer sees it, from profiles and presence already looked up. */
export function toWireDialog(v: DialogView, users: UserMap, online: ReadonlySet<string>, links: FileLinks): Dialog {
  const user = (id: string): User => users.get(id)?.user ?? placeholderUser(id);
  const group = v.type === 'group';
  // Someone who left or was removed learns nothing new through the members either: not their
  // presence, and their read and delivered positions only as far as the departure.
  const gone = v.membership !== 'member';
  const upTo = (seq: number) => (gone ? Math.min(seq, v.lastSeq) : seq);
  return {
    id: v.id,
    type: v.type,
    title: v.title,
    member_count: v.memberCount,
    members: v.members.map((m) => user(m.userId)),
    members_state: v.members.map((m) => ({
      user_id: m.userId,
      last_read_seq: upTo(m.lastReadSeq),
      last_delivered_seq: upTo(m.lastDeliveredSeq),
      online: !gone && online.has(m.userId),
      last_seen_at: gone || m.lastSeenAt === null ? null : new Date(m.lastSeenAt).toISOString(),
      role: group ? m.role : 'member',
      joined_at: new Date(m.joinedAt).toISOString(),
    })),
    last_message: v.lastMessage ? toWireMessage(v.lastMessage, links) : null,
    unread_count: v.unreadCount,
    last_read_seq: v.lastReadSeq,
    updated_at: new Date(v.updatedAt).toISOString(),
    avatar_url: group ? v.avatarUrl : null,
    history: group ? v.history : 'all',
    membership: v.membership,
    muted: v.muted,
  };
}

/** What differs between the members' views of one dialog: their own standing and positions. */
export type ViewerFields = Pick<Dialog, 'unread_count' | 'last_read_seq' | 'membership' | 'muted'>;

export function viewerFields(m: Pick<MemberState, 'unreadCount' | 'lastReadSeq' | 'muted'>): ViewerFields {
  return { unread_count: m.unreadCount, last_read_seq: m.lastReadSeq, membership: 'member', muted: m.muted };
}
