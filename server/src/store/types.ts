// The storage interface the domain code talks to. The embedded implementation is SQLite
// (sqlite.ts); a PostgreSQL one implements the same contract. Every call is scoped by widget id.

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

export interface MemberState {
  userId: string;
  lastReadSeq: number;
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

export type SendResult =
  | { kind: 'created'; message: MessageRow; dialogType: DialogView['type']; members: MemberState[] }
  | { kind: 'duplicate'; message: MessageRow }
  | { kind: 'not_member' }
  | { kind: 'client_msg_id_conflict' };

export type ReadResult =
  | { kind: 'ok'; changed: boolean; seq: number; messageId: number; lastSeq: number; members: MemberState[] }
  | { kind: 'not_member' }
  | { kind: 'message_not_found' };

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

  /** Stores a message in one transaction (seq assigned there); replays of a client_msg_id return the stored one. */
  sendMessage(widgetId: number, input: SendInput): Promise<SendResult>;
  /** Messages in ascending seq order; with `before` the newest ones older than it, with `after` the oldest newer ones. */
  listMessages(widgetId: number, dialogId: number, query: MessageQuery): Promise<MessageRow[]>;
  /** Moves the member's read position forward to the message; never backwards. */
  markRead(widgetId: number, dialogId: number, userId: string, messageId: number): Promise<ReadResult>;

  close(): Promise<void>;
}
