// The storage interface the domain code talks to, split by domain. The embedded implementation is
// SQLite (sqlite/); a PostgreSQL one implements the same contract (contract.ts is the suite both
// must pass). Every call is scoped by widget id, and nothing here calls back into the caller.
//
// Promise: every method is one atomic unit (one transaction); a batch method commits all of its
// inputs in one transaction and answers each input in order. Uniqueness (one direct dialog per
// pair, one message per sender and client_msg_id) is settled by constraints, so concurrent
// writers on several nodes get the same answers as one writer.
// Limits: the SQLite implementation has one writer per file, so it serves one node.

import type { RateLimitOverrides } from '../limits/policy.ts';
import type { AttachmentKind, GroupHistory, MemberRole, Membership, MessageKind, SystemEvent } from '../realtime/protocol.ts';

export type { GroupHistory, MemberRole, Membership, MessageKind, SystemEvent };
export type { GroupChangeResult, GroupPlan, LoggedMessage, MembershipRow, Reader, SystemMessageInput } from './group-types.ts';
import type { GroupChangeResult, GroupPlan, LoggedMessage, MembershipRow, Reader } from './group-types.ts';

export interface WidgetRow {
  id: number;
  devId: string;
  name: string;
  secretKey: string;
  apiLogin: string;
  apiPassword: string;
  usersInfoUrl: string;
  allowedOrigins: string[];
  adminIds: string[];
  /** The widget's own rate limits over the server's defaults (limits/policy.ts); null or absent: the defaults. */
  rateLimits?: RateLimitOverrides | null;
  /** Most members a group of this widget may have; null or absent: MAX_GROUP_MEMBERS. */
  maxGroupMembers?: number | null;
  /** SHA-256 (hex) of the widget's host API key; null or absent: the host API is off. */
  hostApiKeyHash?: string | null;
  /** The widget's upload limits (largest file, allowed types); null or absent: the server's defaults (files/policy.ts). */
  uploadSettings?: UploadSettings | null;
  createdAt: number;
  updatedAt: number;
}

/** A widget's own upload limits; each left out takes the server's default. */
export interface UploadSettings {
  /** Largest file, in bytes. */
  maxBytes?: number;
  /** Allowed MIME types (from files/content/types.ts). */
  types?: string[];
}

export type NewWidget = Omit<WidgetRow, 'id' | 'createdAt' | 'updatedAt'>;
export type WidgetPatch = Partial<Omit<NewWidget, 'devId'>>;

/** What deleteWidget removed: the widget's row, and how many rows of each kind went with it. */
export interface WidgetDeletion {
  widget: WidgetRow;
  dialogs: number;
  /** Memberships: one per member of each dialog (departed ones included). */
  members: number;
  messages: number;
  events: number;
  /** Recorded read moves (read-by). */
  readMoves: number;
  /** Users whose per-user state (last seen) was kept. */
  userStates: number;
  /** Upload rows (the caller removes their bytes: files/service.ts). */
  uploads: number;
}

export interface MessageRow {
  id: number;
  dialogId: number;
  seq: number;
  /** Null for a system message. */
  senderId: string | null;
  kind: MessageKind;
  /** A text message's text, or a system message's English rendering. */
  text: string;
  clientMsgId: string | null;
  /** Unix milliseconds. */
  createdAt: number;
  /** What a system message is about (stored as JSON); null for a text message. */
  system: SystemEvent | null;
  /** Its files, as they were when it was sent (stored as JSON beside it); empty for most. */
  attachments: StoredAttachment[];
}

/** A file of a message as stored with it; the links to it are signed when it is sent out (files/links.ts). */
export interface StoredAttachment {
  id: string;
  kind: AttachmentKind;
  name: string;
  size: number;
  mime: string;
  width: number | null;
  height: number | null;
  /** Whether a thumbnail was stored beside it. */
  thumb: boolean;
}

/** An uploaded file: unattached until a send names it, then its message's for good. */
export interface UploadRow extends StoredAttachment {
  widgetId: number;
  uploaderId: string;
  /** Bytes of the thumbnail; null when there is none. */
  thumbSize: number | null;
  /** Unix milliseconds. */
  createdAt: number;
  /** The message it was sent with, and that message's dialog; null until then. */
  messageId: number | null;
  dialogId: number | null;
  /** When its bytes were removed (moderation, erasure); the row stays so its links answer 410. */
  removedAt: number | null;
}

export type NewUpload = Omit<UploadRow, 'messageId' | 'dialogId' | 'removedAt'>;

export type DialogType = 'direct' | 'group';

/** A current member's positions in a dialog, role, and when they were last seen online. */
export interface MemberState {
  userId: string;
  lastReadSeq: number;
  lastDeliveredSeq: number;
  lastSeenAt: number | null;
  role: MemberRole;
  /** Unix milliseconds. */
  joinedAt: number;
  /** Their own unread count and mute (so each member's view of a change is made from one read). */
  unreadCount: number;
  muted: boolean;
}

/**
 * A dialog as one of its members sees it, current or departed. A departed member (membership
 * left/removed) sees it as it stood at their departure: its last seq and message are those of
 * their departure, their unread count and list position are frozen.
 */
export interface DialogView {
  id: number;
  type: DialogType;
  title: string | null;
  avatarUrl: string | null;
  history: GroupHistory;
  /** Current members only. */
  memberCount: number;
  /** The last seq the viewer may see (their departure's, once departed). */
  lastSeq: number;
  lastMessage: MessageRow | null;
  updatedAt: number;
  /** The viewing member's read position. */
  lastReadSeq: number;
  /** Text messages from others after the viewer's read position (system messages never count). */
  unreadCount: number;
  membership: Membership;
  muted: boolean;
  /** The dialog's last seq when the viewer joined (0 for its first members). */
  joinedSeq: number;
  /** The viewer's position in their dialog list, for cursors. */
  activityAt: number;
  /** Bumped by every group change: a change planned on this view applies only if it is still the same. */
  version: number;
  /** The current members, in the order they joined (ties by user id). */
  members: MemberState[];
}


export interface DialogCursor {
  activityAt: number;
  dialogId: number;
}

/**
 * One entry of a widget's event log. Stored once, whatever the number of members: who receives it
 * is the dialog's membership (or `onlyUserId`). `eventId` is the position in the widget's log:
 * strictly increasing in commit order.
 */
export type EventKind = 'message' | 'read' | 'delivered' | 'dialog';
export interface EventRow {
  eventId: number;
  dialogId: number;
  kind: EventKind;
  /** Who caused it: the sender, the reader, the member a message reached, the dialog's creator or changer ('' when nobody did). */
  userId: string;
  /** message: its seq; read / delivered: the position reached; dialog: 0. */
  seq: number;
  /** message: the message; read: the message read up to. */
  messageId: number | null;
  /** When set, only this member receives the event (a direct dialog is announced to its opener only). */
  onlyUserId: string | null;
  createdAt: number;
}

/** An event as a recipient gets it: message events come with their message. */
export interface LoggedEvent extends EventRow {
  message: MessageRow | null;
}

export interface EventPage {
  /** The widget log's newest position (0 when empty). */
  head: number;
  /** The user's events after the asked position, in order; empty when `complete` is false. */
  events: LoggedEvent[];
  /** False when events after the asked position are no longer kept, never existed, or exceed `limit`. */
  complete: boolean;
}

// ---- batch inputs and results ---------------------------------------------------------------

export interface SendInput {
  widgetId: number;
  dialogId: number;
  senderId: string;
  text: string;
  clientMsgId: string | null;
  /** Uploads of the sender's, not yet sent, to attach in this order (at most MAX_ATTACHMENTS, no repeats). */
  attachmentIds?: readonly string[];
  now: number;
}

export type SendResult =
  | { kind: 'created'; message: MessageRow; event: EventRow; memberIds: string[] }
  | { kind: 'duplicate'; message: MessageRow }
  | { kind: 'not_member' }
  | { kind: 'client_msg_id_conflict' }
  /** Not the sender's, never existed, removed, or cleaned up as never sent. */
  | { kind: 'upload_not_found'; uploadId: string }
  /** Already sent with another message. */
  | { kind: 'upload_already_used'; uploadId: string };

export interface ReadInput {
  widgetId: number;
  dialogId: number;
  userId: string;
  messageId: number;
  now: number;
}

export type ReadResult =
  | {
      kind: 'ok';
      /** The member's read position after this input (never lower than before). */
      seq: number;
      /** The message at that position. */
      messageId: number;
      /** The dialog's last seq. */
      lastSeq: number;
      /** The reader's unread count after this input (text messages from others after their position). */
      unreadCount: number;
      /**
       * The message.read event when the position moved; null when it was already there. In a
       * group it is addressed to the reader only (their other tabs): a read fanned out to every
       * member would cost members² frames when everyone reads along.
       */
      event: EventRow | null;
      memberIds: string[];
      dialogType: DialogType;
      /** Who sent the message read up to (a group tells them, and only them, live); null for a system message. */
      messageSenderId: string | null;
    }
  | { kind: 'not_member' }
  | { kind: 'message_not_found' };

export interface DeliveryInput {
  widgetId: number;
  dialogId: number;
  userId: string;
  seq: number;
  now: number;
}

/**
 * Where the member's delivered position moved to; null when it did not move. A direct dialog logs
 * a message.delivered event (for the other member). A group only stores the position (shown in
 * members_state): an event per member per message would cost rows and frames that grow with the
 * group, and delivery to each member is not something its senders follow one by one.
 */
export type DeliveryResult = { seq: number; dialogType: DialogType; event: EventRow | null; memberIds: string[] } | null;

export interface NewGroup {
  creatorId: string;
  title: string;
  /** Every member, the creator included, without repeats. */
  memberIds: string[];
  /** The English text of its `created` system message (the group's first message). */
  createdText: string;
  /** The creator's name at the time, kept in the created message's `system.names`. */
  creatorName?: string;
}

export interface MessageQuery {
  before?: number | undefined;
  after?: number | undefined;
  limit: number;
  /** Only messages with a seq above this (what the viewer may see; default 0). */
  visibleAfter?: number | undefined;
  /** Only messages up to this seq (a departed member's last; default none). */
  visibleThrough?: number | undefined;
}

// ---- the interface, by domain --------------------------------------------------------------

export interface WidgetStore {
  getWidgetByDevId(devId: string): Promise<WidgetRow | null>;
  listWidgets(): Promise<WidgetRow[]>;
  insertWidget(widget: NewWidget, now: number): Promise<WidgetRow>;
  /** Returns null when no widget has this dev_id. */
  updateWidget(devId: string, patch: WidgetPatch, now: number): Promise<WidgetRow | null>;
  /**
   * Deletes the widget and everything scoped by its id (dialogs, members, messages, events, user
   * state) in one transaction: a reader sees all of it or none of it; other widgets are untouched.
   * Null when no widget has this id. Widget ids are never reused, so whatever still holds the old
   * id (a connected socket, a late write) finds nothing and is refused; it never reaches a widget
   * created later, even one with the same dev_id. A write that would store something under a
   * deleted widget's id stores nothing.
   */
  deleteWidget(widgetId: number): Promise<WidgetDeletion | null>;
}

export interface DialogStore {
  /**
   * Finds or creates the direct dialog of two distinct users (insert-or-get on a unique key): the
   * same pair always gets the same id, however many nodes ask at once. When created, a `dialog`
   * event for the opener `a` is logged with it.
   */
  openDirectDialog(widgetId: number, a: string, b: string, now: number): Promise<{ dialogId: number; created: boolean; event: EventRow | null }>;
  /**
   * Creates a group with its members (the creator its owner), its first message (a `created`
   * system message, which counts as read by the creator), and logs the message's event and a
   * `dialog` event for all of them, in that order.
   */
  createGroup(widgetId: number, group: NewGroup, now: number): Promise<{ dialogId: number; event: EventRow; created: LoggedMessage }>;
  /**
   * The user's standing in the dialog: current or departed, what they may see, their read
   * position. Null when they never were a member (or no such dialog in this widget).
   */
  getMembership(widgetId: number, dialogId: number, userId: string): Promise<MembershipRow | null>;
  /** The dialog as the user sees it, departed or not; null when they never were a member (or no such dialog in this widget). */
  getDialogForMember(widgetId: number, dialogId: number, userId: string): Promise<DialogView | null>;
  /**
   * The user's dialogs (departed ones included, frozen at their departure), most recent activity
   * first, strictly after the cursor; empty direct ones only for whoever opened them.
   */
  listDialogsForMember(widgetId: number, userId: string, cursor: DialogCursor | null, limit: number): Promise<DialogView[]>;
  /** The current member ids of a dialog (empty when it does not exist in this widget). */
  getMemberIds(widgetId: number, dialogId: number): Promise<string[]>;
  /**
   * Applies a planned group change (see GroupPlan) in one transaction, if the dialog is still at
   * `version` (the view the plan was made on); otherwise changes nothing and answers conflict.
   */
  applyGroupChange(widgetId: number, dialogId: number, version: number, plan: GroupPlan, now: number): Promise<GroupChangeResult>;
  /**
   * Sets a current member's mute; when it changed, logs a `dialog` event for that member only.
   * Null when they are not a current member.
   */
  setMuted(widgetId: number, dialogId: number, userId: string, muted: boolean, now: number): Promise<{ event: EventRow | null } | null>;
  /**
   * The current members but its sender whose read position reached the message, with when it
   * first did, most recent first (ties by user id); null when the message is not in the dialog.
   * Read moves are recorded with the read marks (and with a send or a group change that moves
   * past others' messages), so the time is exact and durable.
   */
  readBy(widgetId: number, dialogId: number, messageId: number): Promise<{ seq: number; senderId: string | null; readers: Reader[] } | null>;
  /**
   * Everyone who shares at least one direct dialog with the user: who is told of their presence.
   * (Groups are left out: announcing every member to every member is members² frames per connect.)
   */
  contactsOf(widgetId: number, userId: string): Promise<string[]>;
}

export interface MessageStore {
  /**
   * Stores each message with its seq and its one `message` event, all in one transaction; a
   * sender's message counts as read and delivered for them, and as unread for every other current
   * member. Only current members may send. A replayed client_msg_id returns the stored message and
   * logs nothing. Results are in input order, and so are the event positions.
   */
  commitSends(inputs: SendInput[]): Promise<SendResult[]>;
  /**
   * Moves each current member's read position forward to the message (never backwards), in one
   * transaction; reading implies delivered, so the delivered position follows. A message the
   * member may not see (before they joined a from_join group) is message_not_found.
   */
  commitReads(inputs: ReadInput[]): Promise<ReadResult[]>;
  /** Moves each member's delivered position forward to `seq` (never backwards), in one transaction. */
  commitDeliveries(inputs: DeliveryInput[]): Promise<DeliveryResult[]>;
  /** The dialogs the user is a current member of whose newest message has not reached them yet, with that message's seq. */
  undelivered(widgetId: number, userId: string): Promise<Array<{ dialogId: number; seq: number }>>;
  /**
   * Messages in ascending seq order; with `before` the newest ones older than it, with `after` the
   * oldest newer ones; always within (visibleAfter, visibleThrough].
   */
  listMessages(widgetId: number, dialogId: number, query: MessageQuery): Promise<MessageRow[]>;
}

export interface EventStore {
  /** The widget log's newest position (0 when empty). */
  logHead(widgetId: number): Promise<number>;
  /**
   * The events after `afterId` that `userId` receives, at most `limit`, in position order: those
   * of their dialogs logged after they joined and, once they left or were removed, up to their
   * departure's dialog event. Incomplete when some were pruned, the position is unknown, or more
   * than `limit` are waiting.
   */
  readEvents(widgetId: number, userId: string, afterId: number, limit: number): Promise<EventPage>;
  /** Deletes events logged before the time; returns how many. */
  pruneEvents(before: number): Promise<number>;
}

export interface UserStateStore {
  setLastSeen(widgetId: number, userId: string, at: number): Promise<void>;
}

/** A host API answer kept by idempotency key; `status` null while the first request is served. */
export interface HostRequestRow {
  requestHash: string;
  status: number | null;
  body: string | null;
  createdAt: number;
}

/**
 * What the host API (hostapi/) keeps. Promise: claiming a key is settled by the primary key
 * (widget id, key), so of any number of concurrent claims on any number of nodes exactly one wins.
 */
export interface HostRequestStore {
  /**
   * Claims the key for a request: null when claimed (a new row, or one replacing a row created
   * before `expiredBefore`, or a claim never answered created before `staleBefore`: its server
   * died serving it), else the row already there.
   */
  claimHostRequest(widgetId: number, key: string, requestHash: string, now: number, expiredBefore: number, staleBefore: number): Promise<HostRequestRow | null>;
  /** Stores the answer of a claimed key. */
  completeHostRequest(widgetId: number, key: string, status: number, body: string): Promise<void>;
  /** Gives a claimed key up (its request failed), so a retry runs afresh. */
  releaseHostRequest(widgetId: number, key: string): Promise<void>;
  /** Deletes rows created before the time; returns how many. */
  pruneHostRequests(before: number): Promise<number>;
  /** A current member of the dialog, its owner when it has one (else the longest standing); null when it has none or is not the widget's. */
  dialogAnchor(widgetId: number, dialogId: number): Promise<string | null>;
}

/**
 * Uploaded files' rows (the bytes are in files/storage). Every call is scoped by widget but the
 * sweep, which serves the whole server. A send attaches uploads inside commitSends.
 */
export interface UploadStore {
  createUpload(upload: NewUpload): Promise<void>;
  getUpload(widgetId: number, id: string): Promise<UploadRow | null>;
  /** Uploads never sent and not removed, made before `before`, oldest first, at most `limit`, across widgets. */
  orphanUploads(before: number, limit: number): Promise<UploadRow[]>;
  /** Deletes these upload rows (their bytes must be gone already). */
  deleteUploads(widgetId: number, ids: readonly string[]): Promise<void>;
  /** The files still stored of a message, or of everything a user uploaded. */
  uploadsOf(widgetId: number, of: { messageId: number } | { uploaderId: string }): Promise<UploadRow[]>;
  /** Marks these uploads' bytes as removed; their rows stay, so their links answer 410. */
  markUploadsRemoved(widgetId: number, ids: readonly string[], now: number): Promise<void>;
  /** What the widget's stored files take: their count and bytes (thumbnails included), removed ones not. */
  storageUsage(widgetId: number): Promise<{ files: number; bytes: number }>;
}

export interface Store extends WidgetStore, DialogStore, MessageStore, EventStore, UserStateStore, HostRequestStore, UploadStore {
  /**
   * Resolves when the store answers a trivial query now; rejects, saying why, when it cannot
   * (closed, file gone, database down). Cheap enough for every readiness probe (/readyz).
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}
