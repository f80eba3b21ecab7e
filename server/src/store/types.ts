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
  createdAt: number;
  updatedAt: number;
}

export type NewWidget = Omit<WidgetRow, 'id' | 'createdAt' | 'updatedAt'>;
export type WidgetPatch = Partial<Omit<NewWidget, 'devId'>>;

/** What deleteWidget removed: the widget's row, and how many rows of each kind went with it. */
export interface WidgetDeletion {
  widget: WidgetRow;
  dialogs: number;
  /** Memberships: one per member of each dialog. */
  members: number;
  messages: number;
  events: number;
  /** Users whose per-user state (last seen) was kept. */
  userStates: number;
}

export interface MessageRow {
  id: number;
  dialogId: number;
  seq: number;
  senderId: string;
  text: string;
  clientMsgId: string | null;
  /** Unix milliseconds. */
  createdAt: number;
}

export type DialogType = 'direct' | 'group';

/** A member's positions in a dialog, and when they were last seen online. */
export interface MemberState {
  userId: string;
  lastReadSeq: number;
  lastDeliveredSeq: number;
  lastSeenAt: number | null;
}

/** A dialog as one of its members sees it. */
export interface DialogView {
  id: number;
  type: DialogType;
  title: string | null;
  memberCount: number;
  lastSeq: number;
  lastMessage: MessageRow | null;
  updatedAt: number;
  /** The viewing member's read position. */
  lastReadSeq: number;
  /** The viewer's position in their dialog list, for cursors. */
  activityAt: number;
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
  /** Who caused it: the sender, the reader, the member a message reached, the dialog's creator. */
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
  now: number;
}

export type SendResult =
  | { kind: 'created'; message: MessageRow; event: EventRow; memberIds: string[] }
  | { kind: 'duplicate'; message: MessageRow }
  | { kind: 'not_member' }
  | { kind: 'client_msg_id_conflict' };

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
      /** The dialog's last seq, for the unread count. */
      lastSeq: number;
      /**
       * The message.read event when the position moved; null when it was already there. In a
       * group it is addressed to the reader only (their other tabs): a read fanned out to every
       * member would cost members² frames when everyone reads along.
       */
      event: EventRow | null;
      memberIds: string[];
      dialogType: DialogType;
      /** Who sent the message read up to (a group tells them, and only them, live). */
      messageSenderId: string;
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
}

export interface MessageQuery {
  before?: number | undefined;
  after?: number | undefined;
  limit: number;
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
  /** Creates a group with its members and logs a `dialog` event for all of them. */
  createGroup(widgetId: number, group: NewGroup, now: number): Promise<{ dialogId: number; event: EventRow }>;
  /** The user's read position and the dialog's last seq; null when not a member (or no such dialog). */
  getMembership(widgetId: number, dialogId: number, userId: string): Promise<{ lastSeq: number; lastReadSeq: number } | null>;
  /** Null when the dialog does not exist in this widget or the user is not a member. */
  getDialogForMember(widgetId: number, dialogId: number, userId: string): Promise<DialogView | null>;
  /** The user's dialogs, most recent activity first, strictly after the cursor; empty direct ones only for whoever opened them. */
  listDialogsForMember(widgetId: number, userId: string, cursor: DialogCursor | null, limit: number): Promise<DialogView[]>;
  /** The member ids of a dialog (empty when it does not exist in this widget). */
  getMemberIds(widgetId: number, dialogId: number): Promise<string[]>;
  /**
   * Everyone who shares at least one direct dialog with the user: who is told of their presence.
   * (Groups are left out: announcing every member to every member is members² frames per connect.)
   */
  contactsOf(widgetId: number, userId: string): Promise<string[]>;
}

export interface MessageStore {
  /**
   * Stores each message with its seq and its one `message` event, all in one transaction; a
   * sender's message counts as read and delivered for them. A replayed client_msg_id returns the
   * stored message and logs nothing. Results are in input order, and so are the event positions.
   */
  commitSends(inputs: SendInput[]): Promise<SendResult[]>;
  /**
   * Moves each member's read position forward to the message (never backwards), in one
   * transaction; reading implies delivered, so the delivered position follows.
   */
  commitReads(inputs: ReadInput[]): Promise<ReadResult[]>;
  /** Moves each member's delivered position forward to `seq` (never backwards), in one transaction. */
  commitDeliveries(inputs: DeliveryInput[]): Promise<DeliveryResult[]>;
  /** The user's dialogs whose newest message has not reached them yet, with that message's seq. */
  undelivered(widgetId: number, userId: string): Promise<Array<{ dialogId: number; seq: number }>>;
  /** Messages in ascending seq order; with `before` the newest ones older than it, with `after` the oldest newer ones. */
  listMessages(widgetId: number, dialogId: number, query: MessageQuery): Promise<MessageRow[]>;
}

export interface EventStore {
  /** The widget log's newest position (0 when empty). */
  logHead(widgetId: number): Promise<number>;
  /**
   * The events after `afterId` that `userId` receives (the dialogs they are a member of now), at
   * most `limit`, in position order. Incomplete when some were pruned, the position is unknown,
   * or more than `limit` are waiting.
   */
  readEvents(widgetId: number, userId: string, afterId: number, limit: number): Promise<EventPage>;
  /** Deletes events logged before the time; returns how many. */
  pruneEvents(before: number): Promise<number>;
}

export interface UserStateStore {
  setLastSeen(widgetId: number, userId: string, at: number): Promise<void>;
}

export interface Store extends WidgetStore, DialogStore, MessageStore, EventStore, UserStateStore {
  /**
   * Resolves when the store answers a trivial query now; rejects, saying why, when it cannot
   * (closed, file gone, database down). Cheap enough for every readiness probe (/readyz).
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}
