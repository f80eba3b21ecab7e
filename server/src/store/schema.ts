// drizzle schema of the embedded SQLite store. Every table carries widget_id, and every index
// a query filters on starts with it, so tenants never share an index range.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { RateLimitOverrides } from '../limits/policy.ts';

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
    /** 'owner' (a group's creator) or 'member'. */
    role: text('role', { enum: ['owner', 'member'] }).notNull().default('member'),
    /** Copy of the dialog's last activity, so a user's dialog list is one index range. */
    activityAt: integer('activity_at').notNull(),
    joinedAt: integer('joined_at').notNull(),
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
    senderId: text('sender_id').notNull(),
    text: text('text').notNull(),
    clientMsgId: text('client_msg_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('messages_dialog_seq').on(t.widgetId, t.dialogId, t.seq),
    uniqueIndex('messages_client_msg_id').on(t.widgetId, t.senderId, t.clientMsgId),
  ],
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
