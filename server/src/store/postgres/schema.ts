// drizzle schema of the PostgreSQL store: the same tables as the SQLite schema (../schema.ts), with
// PostgreSQL types, and one counter row per widget's event log that writers lock (events.ts).
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, foreignKey, index, integer, json, pgTable, primaryKey, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import type { RateLimitOverrides } from '../../limits/policy.ts';
import type { SystemEvent } from '../../realtime/protocol.ts';
import type { StoredAttachment, UploadSettings } from '../types.ts';

/** Unix milliseconds and ids that may pass 2^31; read back as JS numbers (db.ts parses int8). */
const millis = (name: string) => bigint(name, { mode: 'number' });

export const widgets = pgTable(
  'widgets',
  {
    // An identity never hands out a value twice, even after a rollback: a deleted widget's id is never reused.
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    devId: text('dev_id').notNull(),
    name: text('name').notNull(),
    secretKey: text('secret_key').notNull(),
    apiLogin: text('api_login').notNull().default(''),
    apiPassword: text('api_password').notNull().default(''),
    usersInfoUrl: text('users_info_url').notNull(),
    // json, not jsonb: the text reads back as written, key order included, so comparing a row
    // with the widgets file (widgets/service.ts compares JSON texts) sees no change that is not there.
    allowedOrigins: json('allowed_origins').$type<string[]>().notNull().default(sql`'[]'::json`),
    adminIds: json('admin_ids').$type<string[]>().notNull().default(sql`'[]'::json`),
    rateLimits: json('rate_limits').$type<RateLimitOverrides>(),
    maxGroupMembers: integer('max_group_members'),
    /** SHA-256 (hex) of the host API key; null: the host API is off for this widget. */
    hostApiKeyHash: text('host_api_key_hash'),
    uploadSettings: json('upload_settings').$type<UploadSettings>(),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [uniqueIndex('widgets_dev_id').on(t.devId)],
);

/**
 * One row per widget, created with it: the log's head (newest position handed out) and the newest
 * position pruning removed. Every write of a widget locks this row first, so the widget's writers
 * take turns and positions are handed out in commit order (events.ts says why that is needed).
 */
export const eventLogs = pgTable('event_logs', {
  widgetId: integer('widget_id')
    .primaryKey()
    .references(() => widgets.id),
  head: millis('head').notNull().default(0),
  prunedThrough: millis('pruned_through').notNull().default(0),
});

export const dialogs = pgTable(
  'dialogs',
  {
    id: millis('id').primaryKey().generatedAlwaysAsIdentity(),
    widgetId: integer('widget_id')
      .notNull()
      .references(() => widgets.id),
    type: text('type', { enum: ['direct', 'group'] }).notNull(),
    // A direct dialog's two user ids, sorted. Two columns rather than SQLite's one NUL-joined key:
    // PostgreSQL text cannot hold a NUL. Null for groups (NULLs never collide in a unique index).
    directA: text('direct_a'),
    directB: text('direct_b'),
    createdBy: text('created_by').notNull(),
    title: text('title'),
    avatarUrl: text('avatar_url'),
    history: text('history', { enum: ['from_join', 'all'] }).notNull().default('from_join'),
    version: integer('version').notNull().default(0),
    memberCount: integer('member_count').notNull().default(2),
    lastSeq: integer('last_seq').notNull().default(0),
    lastMessageId: millis('last_message_id'),
    /** Position of the newest event of this dialog in the widget's log: resume skips dialogs at or below it. */
    lastEventId: millis('last_event_id').notNull().default(0),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('dialogs_direct_pair').on(t.widgetId, t.directA, t.directB),
    // The target of the (widget_id, dialog_id) foreign keys below; a constraint, not only an index,
    // so that it exists (inside CREATE TABLE) before the migration adds the keys that need it.
    unique('dialogs_widget_id').on(t.widgetId, t.id),
    check('dialogs_type', sql`${t.type} IN ('direct', 'group')`),
    check('dialogs_history', sql`${t.history} IN ('from_join', 'all')`),
  ],
);

export const dialogMembers = pgTable(
  'dialog_members',
  {
    widgetId: integer('widget_id').notNull(),
    dialogId: millis('dialog_id').notNull(),
    userId: text('user_id').notNull(),
    lastReadSeq: integer('last_read_seq').notNull().default(0),
    lastDeliveredSeq: integer('last_delivered_seq').notNull().default(0),
    unreadCount: integer('unread_count').notNull().default(0),
    role: text('role', { enum: ['owner', 'admin', 'member'] }).notNull().default('member'),
    activityAt: millis('activity_at').notNull(),
    joinedAt: millis('joined_at').notNull(),
    joinedSeq: integer('joined_seq').notNull().default(0),
    joinedEvent: millis('joined_event').notNull().default(0),
    membership: text('membership', { enum: ['member', 'left', 'removed'] }).notNull().default('member'),
    leftSeq: integer('left_seq'),
    leftEvent: millis('left_event'),
    leftAt: millis('left_at'),
    muted: boolean('muted').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.dialogId, t.userId] }),
    index('dialog_members_list').on(t.widgetId, t.userId, t.activityAt, t.dialogId),
    index('dialog_members_of_dialog').on(t.widgetId, t.dialogId, t.joinedAt, t.userId),
    // On (widget_id, dialog_id), not dialog_id alone: a member can only be in a dialog of its own
    // widget, and the check PostgreSQL runs when a dialog is deleted finds this index instead of
    // scanning every tenant's rows.
    foreignKey({ name: 'dialog_members_dialog', columns: [t.widgetId, t.dialogId], foreignColumns: [dialogs.widgetId, dialogs.id] }),
    check('dialog_members_role', sql`${t.role} IN ('owner', 'admin', 'member')`),
    check('dialog_members_membership', sql`${t.membership} IN ('member', 'left', 'removed')`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: millis('id').primaryKey().generatedAlwaysAsIdentity(),
    widgetId: integer('widget_id').notNull(),
    dialogId: millis('dialog_id').notNull(),
    seq: integer('seq').notNull(),
    senderId: text('sender_id'),
    kind: text('kind', { enum: ['text', 'system'] }).notNull().default('text'),
    text: text('text').notNull(),
    clientMsgId: text('client_msg_id'),
    createdAt: millis('created_at').notNull(),
    // json, as the widgets' columns: it reads back as written.
    system: json('system').$type<SystemEvent>(),
    /** Its files (store/types.ts StoredAttachment[]); null: none. A copy, so no page of history joins uploads. */
    attachments: json('attachments').$type<StoredAttachment[]>(),
  },
  (t) => [
    check('messages_kind', sql`${t.kind} IN ('text', 'system')`),
    uniqueIndex('messages_dialog_seq').on(t.widgetId, t.dialogId, t.seq),
    // NULLs are distinct here, so messages without a client_msg_id never collide.
    uniqueIndex('messages_client_msg_id').on(t.widgetId, t.senderId, t.clientMsgId),
    foreignKey({ name: 'messages_dialog', columns: [t.widgetId, t.dialogId], foreignColumns: [dialogs.widgetId, dialogs.id] }),
  ],
);

export const userStates = pgTable(
  'user_states',
  {
    widgetId: integer('widget_id')
      .notNull()
      .references(() => widgets.id),
    userId: text('user_id').notNull(),
    lastSeenAt: millis('last_seen_at'),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.userId] })],
);

/**
 * Each widget's event log, as in SQLite: one row per event whatever the number of members. No
 * foreign keys: it is the hottest insert, and it is only written under the widget's log lock,
 * which deleting a widget takes too.
 */
export const events = pgTable(
  'events',
  {
    widgetId: integer('widget_id').notNull(),
    eventId: millis('event_id').notNull(),
    dialogId: millis('dialog_id').notNull(),
    kind: text('kind', { enum: ['message', 'read', 'delivered', 'dialog'] }).notNull(),
    userId: text('user_id').notNull(),
    seq: integer('seq').notNull().default(0),
    messageId: millis('message_id'),
    onlyUserId: text('only_user_id'),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.widgetId, t.eventId] }),
    index('events_of_dialog').on(t.widgetId, t.dialogId, t.eventId),
    check('events_kind', sql`${t.kind} IN ('message', 'read', 'delivered', 'dialog')`),
  ],
);

/** Every forward move of a member's read position, as in SQLite (../schema.ts says what for). */
export const readMoves = pgTable(
  'read_moves',
  {
    widgetId: integer('widget_id').notNull(),
    dialogId: millis('dialog_id').notNull(),
    userId: text('user_id').notNull(),
    seq: integer('seq').notNull(),
    at: millis('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.dialogId, t.userId, t.seq] })],
);

/** Host API answers by idempotency key: the same table as the SQLite schema's host_requests. */
export const hostRequests = pgTable(
  'host_requests',
  {
    widgetId: integer('widget_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    body: text('body'),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.widgetId, t.key] }), index('host_requests_created').on(t.createdAt)],
);

/** Uploaded files, as in the SQLite schema (their bytes are in files/storage). */
export const uploads = pgTable(
  'uploads',
  {
    widgetId: integer('widget_id').notNull(),
    id: text('id').notNull(),
    uploaderId: text('uploader_id').notNull(),
    name: text('name').notNull(),
    mime: text('mime').notNull(),
    kind: text('kind', { enum: ['image', 'file'] }).notNull(),
    size: millis('size').notNull(),
    width: integer('width'),
    height: integer('height'),
    thumbSize: millis('thumb_size'),
    createdAt: millis('created_at').notNull(),
    messageId: millis('message_id'),
    dialogId: millis('dialog_id'),
    removedAt: millis('removed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.widgetId, t.id] }),
    check('uploads_kind', sql`${t.kind} IN ('image', 'file')`),
    index('uploads_of_uploader').on(t.widgetId, t.uploaderId),
    index('uploads_of_message').on(t.widgetId, t.messageId),
    index('uploads_unsent').on(t.createdAt).where(sql`message_id IS NULL AND removed_at IS NULL`),
  ],
);
