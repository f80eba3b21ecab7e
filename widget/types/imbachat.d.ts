// The page API of the ImbaChat widget: what the script tag defines on window.
// Use it from a TypeScript host page with `/// <reference types="@imbachat/widget" />`
// or by copying this file into the project.

export interface ImbaChatUser {
  user_id: string;
  name: string;
  avatar_url: string | null;
  profile_url: string | null;
  [extra: string]: unknown;
}

export interface ImbaChatMessage {
  id: number;
  dialog_id: number;
  seq: number;
  /** null for a system message. */
  sender_id: string | null;
  /** "system": a change of a group (who joined, a rename…); `text` is its English rendering. */
  kind: 'text' | 'system';
  text: string;
  client_msg_id: string | null;
  created_at: string;
  system: ImbaChatSystemEvent | null;
}

export interface ImbaChatSystemEvent {
  action: 'created' | 'added' | 'removed' | 'left' | 'renamed' | 'avatar' | 'promoted' | 'demoted' | 'owner' | 'notice';
  actor_id: string | null;
  user_ids: string[];
  title: string | null;
}

export interface ImbaChatMemberState {
  user_id: string;
  last_read_seq: number;
  last_delivered_seq: number;
  online: boolean;
  last_seen_at: string | null;
  role: 'owner' | 'admin' | 'member';
  joined_at: string;
}

/** A dialog as the server describes it to the signed-in user (docs/api.md, "Shapes"). */
export interface ImbaChatDialog {
  id: number;
  type: 'direct' | 'group';
  /** The group's title; null for a direct dialog. */
  title: string | null;
  member_count: number;
  members: ImbaChatUser[];
  members_state: ImbaChatMemberState[];
  last_message: ImbaChatMessage | null;
  unread_count: number;
  last_read_seq: number;
  updated_at: string;
  avatar_url: string | null;
  history: 'from_join' | 'all';
  /** The signed-in user's standing: still in it, or left / removed (then it is read-only). */
  membership: 'member' | 'left' | 'removed';
  muted: boolean;
}

/** imbaApi.createGroup's argument. */
export interface ImbaChatGroupOptions {
  /** 1–200 characters (after trimming). */
  title: string;
  /** The other members (1–500); the signed-in user is the owner and need not be listed. */
  user_ids: Array<string | number>;
}

/** imbaApi.addToRoom's argument, as the ImbaChat plugins pass it; `users_ids` become the members. */
export interface ImbaChatRoomOptions {
  title: string;
  users_ids: Array<{ user_id: string | number } | string | number>;
  /** Accepted for compatibility and ignored (there are no public rooms to join by name). */
  pipe?: string;
  is_public?: number | boolean;
  type?: unknown;
}

export interface ImbaChatLoadOptions {
  /** The signed-in user's id on the host site. */
  user_id: string | number;
  /** HS256 JWT {user_id, exp} signed by the host backend with the widget's secret key. */
  token: string;
  /** Called when the server says the token expired; return a fresh one. */
  getToken?: () => string | Promise<string>;
  /** Interface language: "en" (default) or "ru"; other values fall back to English. */
  lang?: string;
  /** Where the launcher sits. Default "bottom-right". */
  position?: 'bottom-right' | 'bottom-left';
  /** Open the panel (dialog list) right away. Default false. */
  open?: boolean;
  /** Show "(3) Page title" while the tab is hidden and messages are unread. Default true. */
  titleBadge?: boolean;
  /** Play a short sound on new messages while the panel is closed or the tab hidden (the person can mute it). Default true. */
  sound?: boolean;
  /** Offer the "Desktop notifications" switch; permission is asked only when the person turns it on. Default true. */
  notifications?: boolean;
}

export interface ImbaChatEvents {
  /** The session is up: the user is known and the dialog list is loaded. */
  ready: { user: ImbaChatUser };
  /** A new message from someone else arrived in one of the user's dialogs. */
  message: { message: ImbaChatMessage; dialog_id: number };
  /** The total of unread messages changed. */
  unread: { total: number };
  /** The panel opened. */
  open: Record<string, never>;
  /** The panel closed. */
  close: Record<string, never>;
  /** Something failed: load_failed, token_expired, widget_not_found, origin_not_allowed, user_not_found, user_switched, … */
  error: { code: string; message: string };
}

export interface ImbaChatGlobal {
  /** Starts the widget for this user; calling it again with another user switches users. */
  load(options: ImbaChatLoadOptions): void;
}

export interface ImbaApi {
  /** With a user id: opens (creating if needed) the direct dialog with that user. Without: opens the dialog list. */
  openDialog(userId?: string | number): Promise<void>;
  /** Opens the group with this dialog id (the user must be in it). */
  openGroup(dialogId: number | string): Promise<void>;
  /** Creates a group owned by the signed-in user; resolves with it (rejects with an Error whose `code` says why). */
  createGroup(options: ImbaChatGroupOptions): Promise<ImbaChatDialog>;
  /** The ImbaChat plugins' name for creating a group: creates it as createGroup does and opens it. */
  addToRoom(options: ImbaChatRoomOptions): Promise<ImbaChatDialog>;
  /** Closes the panel. */
  close(): void;
  /** Unread messages in all dialogs (0 until the widget is ready). */
  countNewMessagesSum(): number;
  /** Unread messages in the direct dialog with that user (0 when there is none; groups do not count). */
  countNewMessages(userId: string | number): number;
  on<K extends keyof ImbaChatEvents>(event: K, cb: (payload: ImbaChatEvents[K]) => void): void;
  off<K extends keyof ImbaChatEvents>(event: K, cb: (payload: ImbaChatEvents[K]) => void): void;
  /** Replaces the token used for the next requests and reconnects. */
  updateToken(token: string): void;
}

declare global {
  interface Window {
    ImbaChat?: ImbaChatGlobal;
    imbaApi?: ImbaApi;
  }
}
