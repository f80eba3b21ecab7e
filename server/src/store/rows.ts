// Rows as both SQL stores read them back, turned into the Store's shapes: one mapping, so the
// SQLite and the PostgreSQL store cannot drift apart in what an event or a widget looks like.
import type {
  DialogType,
  DialogView,
  EventKind,
  GroupHistory,
  LoggedEvent,
  MemberRole,
  MemberState,
  Membership,
  MembershipRow,
  MessageKind,
  MessageRow,
  Reader,
  StoredAttachment,
  SystemEvent,
  WidgetPatch,
} from './types.ts';

/** A message as both stores select it (camelCase aliases); `system` is JSON text on SQLite, parsed on PostgreSQL. */
export interface MessageRaw {
  id: number;
  dialogId: number;
  seq: number;
  senderId: string | null;
  kind: MessageKind;
  text: string;
  clientMsgId: string | null;
  createdAt: number;
  system: string | SystemEvent | null;
  /** JSON text on SQLite, parsed on PostgreSQL; null: none. */
  attachments: string | StoredAttachment[] | null;
}

const attachmentsOf = (v: string | StoredAttachment[] | null): StoredAttachment[] => (v === null ? [] : typeof v === 'string' ? (JSON.parse(v) as StoredAttachment[]) : v);

const systemOf = (v: string | SystemEvent | null): SystemEvent | null => (typeof v === 'string' ? (JSON.parse(v) as SystemEvent) : v);

export function messageRow(r: MessageRaw): MessageRow {
  return {
    id: r.id,
    dialogId: r.dialogId,
    seq: r.seq,
    senderId: r.senderId,
    kind: r.kind,
    text: r.text,
    clientMsgId: r.clientMsgId,
    createdAt: r.createdAt,
    system: systemOf(r.system),
    attachments: attachmentsOf(r.attachments),
  };
}

/** A member row joined with its dialog, as both stores select it for a view (the viewer's columns per viewer). */
export interface ViewRaw {
  id: number;
  type: DialogType;
  title: string | null;
  avatar_url: string | null;
  history: GroupHistory;
  version: number;
  member_count: number;
  /** The viewer's: the dialog's last seq, or their departure's. */
  last_seq: number;
  updated_at: number;
  last_read_seq: number;
  unread_count: number;
  membership: Membership;
  muted: boolean | number;
  joined_seq: number;
  activity_at: number;
}

export function dialogView(r: ViewRaw, lastMessage: MessageRow | null, members: MemberState[]): DialogView {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    avatarUrl: r.avatar_url,
    history: r.history,
    memberCount: r.member_count,
    lastSeq: r.last_seq,
    lastMessage,
    updatedAt: r.updated_at,
    lastReadSeq: r.last_read_seq,
    unreadCount: r.unread_count,
    membership: r.membership,
    muted: Boolean(r.muted),
    joinedSeq: r.joined_seq,
    activityAt: r.activity_at,
    version: r.version,
    members,
  };
}

/** A current member's state as both stores select it. */
export interface MemberRaw {
  userId: string;
  lastReadSeq: number;
  lastDeliveredSeq: number;
  lastSeenAt: number | null;
  role: MemberRole;
  joinedAt: number;
  unreadCount: number;
  muted: boolean | number;
}

export const memberState = (r: MemberRaw): MemberState => ({ ...r, muted: Boolean(r.muted) });

export interface MembershipRaw {
  type: DialogType;
  history: GroupHistory;
  last_seq: number;
  last_read_seq: number;
  membership: Membership;
  joined_seq: number;
  left_seq: number | null;
}

/** What a member may see: a departed one up to their departure, a from_join group's member after joining. */
export function membershipRow(r: MembershipRaw): MembershipRow {
  return {
    type: r.type,
    membership: r.membership,
    lastSeq: r.membership === 'member' ? r.last_seq : (r.left_seq ?? 0),
    lastReadSeq: r.last_read_seq,
    visibleAfter: r.type === 'group' && r.history === 'from_join' ? r.joined_seq : 0,
  };
}

/** An event row joined with its message (m_*), in the column names both schemas share. */
export interface EventRowRaw {
  event_id: number | null;
  dialog_id: number;
  kind: EventKind;
  user_id: string;
  seq: number;
  message_id: number | null;
  only_user_id: string | null;
  created_at: number;
  m_id: number | null;
  m_seq: number;
  m_sender_id: string | null;
  m_kind: MessageKind;
  m_text: string;
  m_client_msg_id: string | null;
  m_created_at: number;
  m_system: string | SystemEvent | null;
  m_attachments: string | StoredAttachment[] | null;
}

export function loggedEvent(r: EventRowRaw): LoggedEvent {
  const message: MessageRow | null =
    r.m_id === null
      ? null
      : messageRow({
          id: r.m_id,
          dialogId: r.dialog_id,
          seq: r.m_seq,
          senderId: r.m_sender_id,
          kind: r.m_kind,
          text: r.m_text,
          clientMsgId: r.m_client_msg_id,
          createdAt: r.m_created_at,
          system: r.m_system,
          attachments: r.m_attachments,
        });
  return {
    eventId: r.event_id!,
    dialogId: r.dialog_id,
    kind: r.kind,
    userId: r.user_id,
    seq: r.seq,
    messageId: r.message_id,
    onlyUserId: r.only_user_id,
    createdAt: r.created_at,
    message,
  };
}

/** The widgets table's column of each field a widget update may change. */
export const WIDGET_COLUMNS: Record<keyof WidgetPatch, string> = {
  name: 'name',
  secretKey: 'secret_key',
  apiLogin: 'api_login',
  apiPassword: 'api_password',
  usersInfoUrl: 'users_info_url',
  allowedOrigins: 'allowed_origins',
  adminIds: 'admin_ids',
  rateLimits: 'rate_limits',
  maxGroupMembers: 'max_group_members',
  hostApiKeyHash: 'host_api_key_hash',
  uploadSettings: 'upload_settings',
};

/**
 * Most recent first, ties by user id. (Every position at or past someone else's message got there
 * by a recorded move; a row without one would be a position from before moves were recorded,
 * which the migration seeded, so none is expected. It is left out rather than given a time.)
 */
export function sortReaders(rows: Array<{ userId: string; readAt: number | null }>): Reader[] {
  return rows
    .filter((r): r is Reader => r.readAt !== null)
    .map((r) => ({ userId: r.userId, readAt: Number(r.readAt) }))
    .sort((a, b) => b.readAt - a.readAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}
