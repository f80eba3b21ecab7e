// drizzle schema of the embedded SQLite store. Every table carries widget_id, and every index
// a query filters on starts with it, so tenants never share an index range.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { RateLimitOverrides } from '../limits/policy.ts';
import type { UploadSettings } from './types.ts';

export const widgets = sqliteTable(
  'widgets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    devId: text('dev_id').notNull(),
    name: text('name').notNull(),
    secretKey: text('secret_key').notNull(),
    apiLogin: text('api_login').notNull().default(''),
    apiPassword: text('api_password').notNull().default(''),
    usersInfoUrl: text('users_info_url').notNull(),
    allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    adminIds: text('admin_ids', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** The widget's rate-limit overrides as JSON ({"send":{"user":{"burst":…,"perSecond":…}}}); null: the server's defaults. */
    rateLimits: text('rate_limits', { mode: 'json' }).$type<RateLimitOverrides>(),
    /** Most members a group may have; null: MAX_GROUP_MEMBERS. */
    maxGroupMembers: integer('max_group_members'),
    /** SHA-256 (hex) of the host API key; null: the host API is off for this widget. The key itself is never stored. */
    hostApiKeyHash: text('host_api_key_hash'),
    /** The widget's upload limits as JSON ({"maxBytes":…,"types":[…]}); null: the server's defaults. */
    uploadSettings: text('upload_settings', { mode: 'json' }).$type<UploadSettings>(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('widgets_dev_id').on(t.devId)],
);

export const dialogs = sqliteTable(
  'dialogs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    widgetId: integer('widget_id').notNull().references(() => widgets.id),
    type: text('type', { enum: ['direct', 'group'] }).notNull(),
    /** For direct dialogs: the two user ids, sorted, joined by a NUL; makes "open dialog" idempotent. */
    directKey: text('direct_key'),
    /** Who opened it; an empty direct dialog is listed only for them. */
    createdBy: text('created_by').notNull(),
    /** A group's title; null for direct dialogs. */
    title: text('title'),
    /** A group's picture (http/https URL); null: its initials. */
    avatarUrl: text('avatar_url'),
    /** Whether members added later see what came before they joined ('from_join') or everything ('all'). */
    history: text('history', { enum: ['from_join', 'all'] }).notNull().default('from_join'),
    /** Bumped by every group change: a change planned on an older view is planned again (store/types.ts GroupPlan). */
    version: integer('version').notNull().default(0),
    /** Current members (departed ones keep their rows, not their place in the count). */
    memberCount: integer('member_count').notNull().default(2),
    lastSeq: integer('last_seq').notNull().default(0),
    lastMessageId: integer('last_message_id'),
    /** Position of the newest event of this dialog in the widget's log: resume skips dialogs at or below it. */
    lastEventId: integer('last_event_id').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('dialogs_direct_key').on(t.widgetId, t.directKey)],
);

export const dialogMembers = sqliteTable(
  'dialog_members',
  {
    widgetId: integer('widget_id').notNull(),
    dialogId: integer('dialog_id').notNull().references(() => dialogs.id),
    userId: text('user_id').notNull(),
    /** Highest seq this member has read; unread = dialogs.last_seq - last_read_seq. */
    lastReadSeq: integer('last_read_seq').notNull().default(0),
    /** Highest seq that reached at least one of this member's connections. */
    lastDeliveredSeq: integer('last_delivered_seq').notNull().default(0),
    /** Text messages from others after last_read_seq (system messages never count); frozen once departed. */
    unreadCount: integer('unread_count').notNull().default(0),
    /** A group's 'owner' (exactly one while it has members), 'admin' or 'member'; always 'member' in a direct dialog. */
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull().default('member'),
    /** Copy of the dialog's last activity, so a user's dialog list is one index range (frozen once departed). */
    activityAt: integer('activity_at').notNull(),
    joinedAt: integer('joined_at').notNull(),
    /** The dialog's last seq when they joined: a from_join group shows them the messages after it. */
    joinedSeq: integer('joined_seq').notNull().default(0),
    /** The log's position when they joined: they receive the dialog's events after it. */
    joinedEvent: integer('joined_event').notNull().default(0),
    /** 'member' while in the dialog; 'left' or 'removed' after: the row stays, so they keep what they saw. */
    membership: text('membership', { enum: ['member', 'left', 'removed'] }).notNull().default('member'),
    /** Their departure: the seq of the message announcing it (the last they see), its dialog event (the last they receive), when. */
    leftSeq: integer('left_seq'),
    leftEvent: integer('left_event'),
    leftAt: integer('left_at'),
    /** They muted the dialog (no sound or notification). */
    muted: integer('muted', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.dialogId, t.userId] }),
    index('dialog_members_list').on(t.widgetId, t.userId, t.activityAt, t.dialogId),
    index('dialog_members_of_dialog').on(t.widgetId, t.dialogId, t.joinedAt, t.userId),
  ],
);

export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    widgetId: integer('widget_id').notNull(),
    dialogId: integer('dialog_id').notNull().references(() => dialogs.id),
    seq: integer('seq').notNull(),
    /** Null for a system message. */
    senderId: text('sender_id'),
    /** 'text' (a person wrote it) or 'system' (a change of the group; `text` is its English rendering). */
    kind: text('kind', { enum: ['text', 'system'] }).notNull().default('text'),
    text: text('text').notNull(),
    clientMsgId: text('client_msg_id'),
    createdAt: integer('created_at').notNull(),
    /** A system message's payload as JSON ({"action","actor_id","user_ids","title"}); null for text. */
    system: text('system'),
    /** Its files as JSON (store/types.ts StoredAttachment[]); null: none. A copy, so no page of history joins uploads. */
    attachments: text('attachments'),
  },
  (t) => [
    uniqueIndex('messages_dialog_seq').on(t.widgetId, t.dialogId, t.seq),
    uniqueIndex('messages_client_msg_id').on(t.widgetId, t.senderId, t.clientMsgId),
  ],
);

/**
 * Every forward move of a member's read position (append-only): read-by answers when a member's
 * position first reached a message, min(at) over their moves at or beyond its seq. Written in the
 * same transaction as the move. A send moves its sender's position too, but is recorded only when
 * it skips messages of others (reaching only your own message is nothing read-by shows).
 */
export const readMoves = sqliteTable(
  'read_moves',
  {
    widgetId: integer('widget_id').notNull(),
    dialogId: integer('dialog_id').notNull(),
    userId: text('user_id').notNull(),
    seq: integer('seq').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.dialogId, t.userId, t.seq] })],
);

/** Per-user state: when the user was last seen online. */
export const userStates = sqliteTable(
  'user_states',
  {
    widgetId: integer('widget_id').notNull(),
    userId: text('user_id').notNull(),
    lastSeenAt: integer('last_seen_at'),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.userId] })],
);

/**
 * Each widget's event log: one row per event (a message, a receipt, a new dialog), whatever the
 * number of members; a member receives the events of the dialogs they belong to. Kept for the
 * retention window so a reconnecting client gets exactly what it missed.
 */
export const events = sqliteTable(
  'events',
  {
    widgetId: integer('widget_id').notNull(),
    /** Position in the widget's log, assigned in commit order. */
    eventId: integer('event_id').notNull(),
    dialogId: integer('dialog_id').notNull(),
    kind: text('kind', { enum: ['message', 'read', 'delivered', 'dialog'] }).notNull(),
    userId: text('user_id').notNull(),
    seq: integer('seq').notNull().default(0),
    messageId: integer('message_id'),
    /** When set, only this member receives the event. */
    onlyUserId: text('only_user_id'),
    createdAt: integer('created_at').notNull(),
  },
  // No index on created_at: every index is a page more for each commit to write, and pruning
  // finds its cut in each widget's log by position instead (events/prune in the store).
  (t) => [primaryKey({ columns: [t.widgetId, t.eventId] }), index('events_of_dialog').on(t.widgetId, t.dialogId, t.eventId)],
);

/**
 * The newest position pruning removed from each widget's log: a resume from below it is refused,
 * and the log's head never goes below it (the head is otherwise the newest event's position, so
 * no commit has to write a counter row).
 */
export const eventLogs = sqliteTable('event_logs', {
  widgetId: integer('widget_id').primaryKey(),
  prunedThrough: integer('pruned_through').notNull().default(0),
});

/**
 * Host API answers by idempotency key (hostapi/idempotency.ts): one row per widget and key, claimed
 * before the work (status null) and holding the first answer after it, so a retry gets that answer
 * and concurrent retries settle on the primary key. Pruned after 24 h.
 */
export const hostRequests = sqliteTable(
  'host_requests',
  {
    widgetId: integer('widget_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    requestHash: text('request_hash').notNull(),
    /** The answer's status and JSON body; null while the first request is being served. */
    status: integer('status'),
    body: text('body'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.key] }), index('host_requests_created').on(t.createdAt)],
);

/**
 * Uploaded files (their bytes are in files/storage under w{widget_id}/{id}). The id is random, so
 * nothing can be guessed from it; the stored name is for showing only and never part of a path.
 */
export const uploads = sqliteTable(
  'uploads',
  {
    widgetId: integer('widget_id').notNull(),
    id: text('id').notNull(),
    uploaderId: text('uploader_id').notNull(),
    name: text('name').notNull(),
    mime: text('mime').notNull(),
    kind: text('kind', { enum: ['image', 'file'] }).notNull(),
    /** Bytes of what is served (after an image's metadata was stripped). */
    size: integer('size').notNull(),
    width: integer('width'),
    height: integer('height'),
    /** Bytes of the thumbnail; null: none. */
    thumbSize: integer('thumb_size'),
    createdAt: integer('created_at').notNull(),
    /** Set by the send that attaches it; null: not sent yet (removed after an hour: files/service.ts). */
    messageId: integer('message_id'),
    dialogId: integer('dialog_id'),
    removedAt: integer('removed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.widgetId, t.id] }),
    index('uploads_of_uploader').on(t.widgetId, t.uploaderId),
    index('uploads_of_message').on(t.widgetId, t.messageId),
    // The sweep's range: only rows never sent are in it.
    index('uploads_unsent').on(t.createdAt).where(sql`message_id IS NULL AND removed_at IS NULL`),
  ],
);
