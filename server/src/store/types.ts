// The storage interface the domain code talks to. The embedded implementation is SQLite
// (sqlite.ts); a PostgreSQL one implements the same contract. Every call is scoped by widget id.
import type { Receipt } from '../bus/types.ts';

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
  createdAt: number;
  updatedAt: number;
}

export type NewWidget = Omit<WidgetRow, 'id' | 'createdAt' | 'updatedAt'>;
export type WidgetPatch = Partial<Omit<NewWidget, 'devId'>>;

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

/** A member's positions in a dialog, and when they were last seen online. */
export interface MemberState {
  userId: string;
  lastReadSeq: number;
  lastDeliveredSeq: number;
  lastSeenAt: number | null;
}

/** A frame body (serialised without its event_id) for some users, appended to each one's stream. */
export interface OutEvent {
  userIds: string[];
  body: string;
  receipt?: Receipt;
}

/** An appended event: its body and the event id it got in each recipient's stream. */
export interface StreamedEvent {
  body: string;
  to: Array<{ userId: string; eventId: number }>;
  receipt?: Receipt;
}

/** Builds the events of a change from its result; runs inside the change's transaction, so it must be synchronous. */
export type EventBuilder<R> = (result: R) => OutEvent[];

export interface StreamPage {
  /** The newest event id of the user (0 when none). */
  head: number;
  /** Events after the asked id, in order; empty when `complete` is false. */
  events: Array<{ eventId: number; body: string }>;
  /** False when events after the asked id are no longer kept (or never existed): the client must refetch state. */
  complete: boolean;
}

/** A dialog as one of its members sees it. */
export interface DialogView {
  id: number;
  type: 'direct';
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

export interface CreatedMessage {
  message: MessageRow;
  dialogType: DialogView['type'];
  members: MemberState[];
}

export type SendResult =
  | ({ kind: 'created'; events: StreamedEvent[] } & CreatedMessage)
  | { kind: 'duplicate'; message: MessageRow }
  | { kind: 'not_member' }
  | { kind: 'client_msg_id_conflict' };

export interface ReadChange {
  changed: boolean;
  seq: number;
  messageId: number;
  lastSeq: number;
  members: MemberState[];
}

export type ReadResult =
  | ({ kind: 'ok'; events: StreamedEvent[] } & ReadChange)
  | { kind: 'not_member' }
  | { kind: 'message_not_found' };

export interface DeliveredChange {
  dialogId: number;
  userId: string;
  seq: number;
  members: MemberState[];
}

export interface SendInput {
  dialogId: number;
  senderId: string;
  text: string;
  clientMsgId: string | null;
  now: number;
}

export interface MessageQuery {
  before?: number | undefined;
  after?: number | undefined;
  limit: number;
}

export interface Store {
  getWidgetByDevId(devId: string): Promise<WidgetRow | null>;
  listWidgets(): Promise<WidgetRow[]>;
  insertWidget(widget: NewWidget, now: number): Promise<WidgetRow>;
  /** Returns null when no widget has this dev_id. */
  updateWidget(devId: string, patch: WidgetPatch, now: number): Promise<WidgetRow | null>;

  /** Finds or creates the direct dialog of two distinct users; the same pair always gets the same id. */
  openDirectDialog(widgetId: number, a: string, b: string, now: number): Promise<{ dialogId: number; created: boolean }>;
  /** The user's read position and the dialog's last seq; null when not a member (or no such dialog). */
  getMembership(widgetId: number, dialogId: number, userId: string): Promise<{ lastSeq: number; lastReadSeq: number } | null>;
  /** Null when the dialog does not exist in this widget or the user is not a member. */
  getDialogForMember(widgetId: number, dialogId: number, userId: string): Promise<DialogView | null>;
  /** The user's dialogs, most recent activity first, strictly after the cursor; empty ones only for whoever opened them. */
  listDialogsForMember(widgetId: number, userId: string, cursor: DialogCursor | null, limit: number): Promise<DialogView[]>;

  /** The member ids of a dialog (empty when it does not exist in this widget). */
  getMemberIds(widgetId: number, dialogId: number): Promise<string[]>;

  /**
   * Stores a message in one transaction (seq assigned there) together with the events `build`
   * makes of it; replays of a client_msg_id return the stored one and append nothing.
   */
  sendMessage(widgetId: number, input: SendInput, build: EventBuilder<CreatedMessage>): Promise<SendResult>;
  /** Messages in ascending seq order; with `before` the newest ones older than it, with `after` the oldest newer ones. */
  listMessages(widgetId: number, dialogId: number, query: MessageQuery): Promise<MessageRow[]>;
  /** Moves the member's read position forward to the message, never backwards; events only when it moved. */
  markRead(widgetId: number, dialogId: number, userId: string, messageId: number, build: EventBuilder<ReadChange>): Promise<ReadResult>;
  /**
   * Moves the member's delivered position forward to `seq` (or, with seq null, to the end of every dialog
   * of the user); returns what moved, with the events `build` made of each change.
   */
  markDelivered(
    widgetId: number,
    userId: string,
    target: { dialogId: number; seq: number } | null,
    build: EventBuilder<DeliveredChange>,
  ): Promise<Array<DeliveredChange & { events: StreamedEvent[] }>>;

  /** Appends events to the recipients' streams in one transaction. */
  appendEvents(widgetId: number, events: OutEvent[], now: number): Promise<StreamedEvent[]>;
  /** The newest event id of the user's stream (0 when none). */
  streamHead(widgetId: number, userId: string): Promise<number>;
  /** The user's events after `afterId`, at most `limit`; incomplete when some were pruned or the id is unknown. */
  readStream(widgetId: number, userId: string, afterId: number, limit: number): Promise<StreamPage>;
  /** Deletes events created before the time; returns how many. */
  pruneEvents(before: number): Promise<number>;

  /** Everyone who shares at least one dialog with the user. */
  contactsOf(widgetId: number, userId: string): Promise<string[]>;
  setLastSeen(widgetId: number, userId: string, at: number): Promise<void>;

  close(): Promise<void>;
}
