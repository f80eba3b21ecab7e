// The wire contract shared by the server and the widget: resource shapes, WebSocket frames,
// close codes and error codes. A leaf module: it imports nothing but the close codes (a leaf of
// their own), so the widget can bundle it.

/** A person as the host site describes them; extra host fields are passed through. */
export interface User {
  user_id: string;
  name: string;
  avatar_url: string | null;
  profile_url: string | null;
  [extra: string]: unknown;
}

export interface Message {
  id: number;
  dialog_id: number;
  /** Position in the dialog: 1, 2, 3… assigned in the same transaction as the insert. */
  seq: number;
  /** Who wrote it; null for a system message. */
  sender_id: string | null;
  /** `system`: a change of the group (who added whom, a rename…), rendered from `system`. */
  kind: MessageKind;
  /** The English rendering of a system message for clients that do not localise (`system` says what happened). */
  text: string;
  client_msg_id: string | null;
  created_at: string;
  system: SystemEvent | null;
  /** Files sent with it, in the order attached; empty for most messages (docs/api.md, "Attachments"). */
  attachments: Attachment[];
}

/** `image`: a raster image the server decoded, re-encoded and made a thumbnail of; `file`: anything else allowed. */
export type AttachmentKind = 'image' | 'file';

/**
 * A file in a message, or an upload not yet sent. `url` and `thumb_url` are paths on the chat
 * server (resolve them against its origin), signed and expiring: whoever may see the message gets
 * fresh ones with every answer that carries it.
 */
export interface Attachment {
  /** The upload's id: what a send's `attachment_ids` names. */
  id: string;
  kind: AttachmentKind;
  /** The name it was uploaded with, made safe to show (never a path). */
  name: string;
  /** Bytes of what is served (an image after its metadata was stripped). */
  size: number;
  /** The type read from the bytes, not from the name. */
  mime: string;
  /** Images only: the dimensions after orientation was applied. */
  width?: number;
  height?: number;
  url: string;
  /** Images only: a small preview (at most THUMB_MAX_PX on each side). */
  thumb_url?: string;
}

/** GET …/uploads: what this widget takes, so a client can refuse a file before sending a byte of it. */
export interface UploadPolicy {
  /** The largest file, in bytes. */
  max_bytes: number;
  /** The allowed types (read from the bytes on upload; a name or label alone never passes). */
  types: string[];
  /** The file names' extensions those types go by, with the dot (for an input's `accept`). */
  extensions: string[];
}

export type MessageKind = 'text' | 'system';

export type SystemAction = 'created' | 'added' | 'removed' | 'left' | 'renamed' | 'avatar' | 'promoted' | 'demoted' | 'owner' | 'notice';

/** What a system message is about (docs/api.md, "System messages"). */
export interface SystemEvent {
  action: SystemAction;
  /** Who did it; null for a notice or a change made by the host. */
  actor_id: string | null;
  /** Whom it is about (added, removed, promoted, demoted, owner); empty otherwise. */
  user_ids: string[];
  /** `renamed`: the new title; null otherwise. */
  title: string | null;
  /**
   * The names of the people it mentions (actor and user_ids), as the host gave them at the time:
   * a client that no longer knows someone (they left) can still name them. Absent on messages
   * stored before names were kept.
   */
  names?: Record<string, string>;
}

export type MemberRole = 'owner' | 'admin' | 'member';
/** Where the viewer stands in a dialog: still in it, or gone (they keep what they saw until then). */
export type Membership = 'member' | 'left' | 'removed';
/** Whether members added later see the messages from before they joined. */
export type GroupHistory = 'from_join' | 'all';

/** Where a member is in a dialog, and whether they are online. */
export interface MemberState {
  user_id: string;
  /** Messages up to this seq were read by this member. */
  last_read_seq: number;
  /** Messages up to this seq reached at least one of this member's connections. */
  last_delivered_seq: number;
  online: boolean;
  /** When the member was last online (ISO 8601), or null if never seen. */
  last_seen_at: string | null;
  /** In a group: owner, admin or member; in a direct dialog always member. */
  role: MemberRole;
  /** When they joined the dialog (ISO 8601). */
  joined_at: string;
}

export type DialogType = 'direct' | 'group';

export interface Dialog {
  id: number;
  /** `direct`: two people, opened by either; `group`: created with a title and a member list. */
  type: DialogType;
  /** The group's title; null for direct dialogs (show the partner's name). */
  title: string | null;
  member_count: number;
  members: User[];
  /** One entry per member, in the order of `members`. */
  members_state: MemberState[];
  last_message: Message | null;
  unread_count: number;
  /** The seq of the last message this user has read (0 when none). */
  last_read_seq: number;
  updated_at: string;
  /** The group's avatar URL (null: its initials); null for direct dialogs. */
  avatar_url: string | null;
  /** Groups: whether members added later see earlier messages; direct dialogs: all. */
  history: GroupHistory;
  /** The viewer's standing; a user who left or was removed keeps the dialog, read-only, up to their departure. */
  membership: Membership;
  /** The viewer muted it: no sound or notification for it. */
  muted: boolean;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ReadState {
  dialog_id: number;
  user_id: string;
  message_id: number;
  seq: number;
}

/** The answer to POST …/read: the effective read position and what is left unread. */
export interface ReadAnswer extends ReadState {
  unread_count: number;
}

// ---- frames -------------------------------------------------------------------------------

export type ClientFrame =
  /** `resume_from`: the last event_id this client saw, to receive exactly what it missed. */
  | { type: 'auth'; token: string; resume_from?: number }
  | { type: 'ping' }
  | { type: 'typing.start'; dialog_id: number }
  | { type: 'typing.stop'; dialog_id: number };

/**
 * Frames that belong to the durable event log carry an `event_id`: the event's position in the
 * widget's log. Positions only grow, in commit order, but are not consecutive for one user (the
 * log is shared by all the widget's dialogs); a client resumes from the highest one it applied.
 */
export type StreamFrame =
  | { type: 'message.new'; message: Message }
  /**
   * A dialog appeared or changed for the recipient (a group was created or changed, the user opened
   * a direct dialog, muted one), carrying the dialog as that recipient sees it (their membership…).
   */
  | { type: 'dialog.updated'; dialog: Dialog }
  | ({ type: 'message.read' } & ReadState)
  | { type: 'message.delivered'; dialog_id: number; user_id: string; seq: number };

export type EphemeralFrame =
  | {
      type: 'ready';
      user: User;
      heartbeat_ms: number;
      /** The widget log's newest position when the socket became ready; resume from it (or later). */
      last_event_id: number;
      /** True when the frames that follow are exactly the events after `resume_from`; false means refetch state. */
      resumed: boolean;
      /**
       * Present and false when events may arrive out of order (several nodes): the client then
       * resumes from the last `synced` position rather than from its highest event (docs/protocol.md).
       */
      ordered?: false;
    }
  | { type: 'pong' }
  /** Sent only after `ready` with `ordered: false`: every event of the user at or below the position has been sent. */
  | { type: 'synced'; last_event_id: number }
  /** `retry_after_ms` comes with `rate_limited`: how long until the same frame would be taken. */
  | { type: 'error'; code: ErrorCode; message: string; retry_after_ms?: number }
  | { type: 'typing.start'; dialog_id: number; user_id: string }
  | { type: 'typing.stop'; dialog_id: number; user_id: string }
  | { type: 'presence'; user_id: string; online: boolean; last_seen_at: string | null }
  /** In a group, receipts reach the message's sender live only, without an event_id (see docs/protocol.md). */
  | ({ type: 'message.read' } & ReadState)
  | { type: 'message.delivered'; dialog_id: number; user_id: string; seq: number };

export type ServerFrame = EphemeralFrame | (StreamFrame & { event_id: number });

export type ServerFrameType = ServerFrame['type'];

/** Largest frame a client may send, in bytes. Frames carry control data only; messages go over REST. */
export const MAX_CLIENT_FRAME_BYTES = 16 * 1024;
/** Malformed or unknown frames a socket may send (each answered with an error frame) before it is closed with TOO_MANY_BAD_FRAMES. */
export const MAX_BAD_FRAMES = 10;
/** Sockets one user may hold on one server (tabs, windows); a new one beyond it closes the oldest with TOO_MANY_CONNECTIONS. */
export const MAX_SOCKETS_PER_USER = 32;
/** A socket that has not sent a valid auth frame within this time is closed with AUTH_TIMEOUT. */
export const AUTH_TIMEOUT_MS = 5_000;
/** A typing.start not refreshed within this time ends as if typing.stop had come. */
export const TYPING_EXPIRY_MS = 6_000;
/** Clients send at most one typing.start per this interval while the user keeps typing. */
export const TYPING_THROTTLE_MS = 3_000;
/** A user stays online this long after their last connection closes, so a reload does not flicker. */
export const PRESENCE_GRACE_MS = 5_000;
/** At most this many missed events are replayed on resume; beyond it the client refetches state. */
export const MAX_REPLAY_EVENTS = 1_000;
/** Limits on message text (after trimming), in characters (Unicode code points). */
export const MAX_TEXT_CHARS = 4000;
/** Most attachments one message may carry. */
export const MAX_ATTACHMENTS = 10;
/** The longest side of an image's thumbnail, in pixels. */
export const THUMB_MAX_PX = 320;
/** Upload ids: 22 characters of base64url (128 random bits). */
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const MAX_PAGE_LIMIT = 100;
/** The highest seq a dialog can reach (a 32-bit column on PostgreSQL): `before`/`after` above it are refused with 400. */
export const MAX_SEQ = 2_147_483_647;
/** Limits of a group dialog created through the API. */
export const MAX_GROUP_TITLE_CHARS = 200;
export const MAX_GROUP_MEMBERS = 500;

// ---- identities ---------------------------------------------------------------------------

/** Longest user id, in characters (UTF-16 code units, as JavaScript counts them). */
export const MAX_USER_ID_CHARS = 128;

/**
 * White space at either end, control and invisible format characters (Cc, Cf: NUL, BOM, zero-width
 * and bidi marks), line and paragraph separators, and lone surrogates (Cs: not encodable in a
 * URL, which once broke a whole batched users-info request). `u` makes a valid surrogate pair one
 * code point, so only lone halves match \p{Cs}.
 */
const USER_ID_FORBIDDEN = /^\s|\s$|[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** The user-id rule in words, for error messages. */
export const USER_ID_RULE = `a string of 1–${MAX_USER_ID_CHARS} characters without white space at either end or control characters, or an integer`;

/**
 * THE user-id rule, used by the token check, the widget, request bodies, the config and the
 * users-info answer. Ids are opaque and compared exactly: "01", "1.0", "-1" and "1" are four
 * users. A safe integer becomes its decimal string (1 and "1" are one user). Anything that is not
 * already canonical is refused (null), never repaired: " 1 " was once trimmed into user 1. Every
 * accepted id survives encodeURIComponent.
 */
export function normalizeUserId(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (typeof value !== 'string') return null;
  return value.length > 0 && value.length <= MAX_USER_ID_CHARS && !USER_ID_FORBIDDEN.test(value) ? value : null;
}

/** A widget's dev_id: 1–64 letters, digits, "_" or "-". */
export const DEV_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export { CloseCode, shouldReconnect } from './close-codes.ts';

/** Stable, snake_case error codes used by REST error bodies, error frames and close reasons. */
export const ErrorCodes = [
  'bad_request',
  'invalid_json',
  'validation_failed',
  'payload_too_large',
  'request_timeout',
  'file_too_large',
  'file_type_not_allowed',
  'file_type_mismatch',
  'file_unreadable',
  'upload_not_found',
  'upload_already_used',
  'file_removed',
  'link_expired',
  'not_found',
  'widget_not_found',
  'widget_not_built',
  'origin_not_allowed',
  'token_missing',
  'token_malformed',
  'token_expired',
  'token_bad_signature',
  'token_bad_algorithm',
  'token_bad_claims',
  'user_not_found',
  'dialog_not_found',
  'message_not_found',
  'cannot_message_self',
  'group_too_large',
  'not_allowed',
  'not_a_group',
  'users_info_refused',
  'client_msg_id_conflict',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'bad_frame',
  'unauthorized',
  'not_ready',
  'rate_limited',
  'internal_error',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
