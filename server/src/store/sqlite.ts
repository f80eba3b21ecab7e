// The embedded store: one SQLite file in WAL mode, drizzle migrations applied at open, and the
// hot paths (send, page of messages, dialog list) as statements prepared once.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, desc, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as t from './schema.ts';
import type {
  DialogCursor,
  DialogView,
  MemberState,
  MessageQuery,
  MessageRow,
  NewWidget,
  ReadResult,
  SendInput,
  SendResult,
  Store,
  WidgetPatch,
  WidgetRow,
} from './types.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations', 'sqlite');

const p = (name: string) => sql.placeholder(name);

export function openSqliteStore(file: string): Store {
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode keeps the database consistent on power loss and loses no committed
  // transaction on a process crash; only an OS crash may roll back the newest commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle({ client: sqlite, schema: t });
  migrate(db, { migrationsFolder: MIGRATIONS });

  const messageColumns = {
    id: t.messages.id,
    dialogId: t.messages.dialogId,
    seq: t.messages.seq,
    senderId: t.messages.senderId,
    text: t.messages.text,
    clientMsgId: t.messages.clientMsgId,
    createdAt: t.messages.createdAt,
  };

  const q = {
    widgetByDevId: db.select().from(t.widgets).where(eq(t.widgets.devId, p('devId'))).prepare(),
    memberDialog: db
      .select({
        id: t.dialogs.id,
        type: t.dialogs.type,
        lastSeq: t.dialogs.lastSeq,
        lastMessageId: t.dialogs.lastMessageId,
        updatedAt: t.dialogs.updatedAt,
        lastReadSeq: t.dialogMembers.lastReadSeq,
        activityAt: t.dialogMembers.activityAt,
      })
      .from(t.dialogMembers)
      .innerJoin(t.dialogs, eq(t.dialogs.id, t.dialogMembers.dialogId))
      .where(
        and(
          eq(t.dialogMembers.widgetId, p('widgetId')),
          eq(t.dialogMembers.dialogId, p('dialogId')),
          eq(t.dialogMembers.userId, p('userId')),
        ),
      )
      .prepare(),
    membersOf: db
      .select({ userId: t.dialogMembers.userId, lastReadSeq: t.dialogMembers.lastReadSeq })
      .from(t.dialogMembers)
      .where(and(eq(t.dialogMembers.widgetId, p('widgetId')), eq(t.dialogMembers.dialogId, p('dialogId'))))
      .orderBy(asc(t.dialogMembers.joinedAt), asc(t.dialogMembers.userId))
      .prepare(),
    messageInDialog: db
      .select(messageColumns)
      .from(t.messages)
      .where(
        and(eq(t.messages.widgetId, p('widgetId')), eq(t.messages.dialogId, p('dialogId')), eq(t.messages.id, p('id'))),
      )
      .prepare(),
    messageBySeq: db
      .select(messageColumns)
      .from(t.messages)
      .where(
        and(eq(t.messages.widgetId, p('widgetId')), eq(t.messages.dialogId, p('dialogId')), eq(t.messages.seq, p('seq'))),
      )
      .prepare(),
    messageByClientId: db
      .select(messageColumns)
      .from(t.messages)
      .where(
        and(
          eq(t.messages.widgetId, p('widgetId')),
          eq(t.messages.senderId, p('senderId')),
          eq(t.messages.clientMsgId, p('clientMsgId')),
        ),
      )
      .prepare(),
    bumpSeq: db
      .update(t.dialogs)
      .set({ lastSeq: sql`${t.dialogs.lastSeq} + 1`, updatedAt: sql`${p('now')}` })
      .where(and(eq(t.dialogs.widgetId, p('widgetId')), eq(t.dialogs.id, p('dialogId'))))
      .returning({ seq: t.dialogs.lastSeq })
      .prepare(),
    insertMessage: db
      .insert(t.messages)
      .values({
        widgetId: p('widgetId'),
        dialogId: p('dialogId'),
        seq: p('seq'),
        senderId: p('senderId'),
        text: p('text'),
        clientMsgId: p('clientMsgId'),
        createdAt: p('now'),
      })
      .returning({ id: t.messages.id })
      .prepare(),
    setLastMessage: db
      .update(t.dialogs)
      .set({ lastMessageId: sql`${p('messageId')}` })
      .where(and(eq(t.dialogs.widgetId, p('widgetId')), eq(t.dialogs.id, p('dialogId'))))
      .prepare(),
    touchMembers: db
      .update(t.dialogMembers)
      .set({
        activityAt: sql`${p('now')}`,
        lastReadSeq: sql`CASE WHEN ${t.dialogMembers.userId} = ${p('senderId')} THEN ${p('seq')} ELSE ${t.dialogMembers.lastReadSeq} END`,
      })
      .where(and(eq(t.dialogMembers.widgetId, p('widgetId')), eq(t.dialogMembers.dialogId, p('dialogId'))))
      .prepare(),
    advanceRead: db
      .update(t.dialogMembers)
      .set({ lastReadSeq: sql`${p('seq')}` })
      .where(
        and(
          eq(t.dialogMembers.widgetId, p('widgetId')),
          eq(t.dialogMembers.dialogId, p('dialogId')),
          eq(t.dialogMembers.userId, p('userId')),
          lt(t.dialogMembers.lastReadSeq, p('seq')),
        ),
      )
      .prepare(),
    newest: db
      .select(messageColumns)
      .from(t.messages)
      .where(and(eq(t.messages.widgetId, p('widgetId')), eq(t.messages.dialogId, p('dialogId'))))
      .orderBy(desc(t.messages.seq))
      .limit(p('limit'))
      .prepare(),
    before: db
      .select(messageColumns)
      .from(t.messages)
      .where(
        and(eq(t.messages.widgetId, p('widgetId')), eq(t.messages.dialogId, p('dialogId')), lt(t.messages.seq, p('seq'))),
      )
      .orderBy(desc(t.messages.seq))
      .limit(p('limit'))
      .prepare(),
    after: db
      .select(messageColumns)
      .from(t.messages)
      .where(
        and(eq(t.messages.widgetId, p('widgetId')), eq(t.messages.dialogId, p('dialogId')), gt(t.messages.seq, p('seq'))),
      )
      .orderBy(asc(t.messages.seq))
      .limit(p('limit'))
      .prepare(),
  };

  const listColumns = {
    id: t.dialogs.id,
    type: t.dialogs.type,
    lastSeq: t.dialogs.lastSeq,
    lastMessageId: t.dialogs.lastMessageId,
    updatedAt: t.dialogs.updatedAt,
    lastReadSeq: t.dialogMembers.lastReadSeq,
    activityAt: t.dialogMembers.activityAt,
  };
  type ListRow = { id: number; type: 'direct'; lastSeq: number; lastMessageId: number | null; updatedAt: number; lastReadSeq: number; activityAt: number };

  /** Completes dialog rows with their members and last messages: two indexed IN queries, whatever the page size. */
  function hydrate(widgetId: number, rows: ListRow[]): DialogView[] {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const memberRows = db
      .select({ dialogId: t.dialogMembers.dialogId, userId: t.dialogMembers.userId, lastReadSeq: t.dialogMembers.lastReadSeq })
      .from(t.dialogMembers)
      .where(and(eq(t.dialogMembers.widgetId, widgetId), inArray(t.dialogMembers.dialogId, ids)))
      .orderBy(asc(t.dialogMembers.joinedAt), asc(t.dialogMembers.userId))
      .all();
    const lastIds = rows.flatMap((r) => (r.lastMessageId == null ? [] : [r.lastMessageId]));
    const lastMessages = lastIds.length
      ? db.select(messageColumns).from(t.messages).where(and(eq(t.messages.widgetId, widgetId), inArray(t.messages.id, lastIds))).all()
      : [];
    const byId = new Map(lastMessages.map((m) => [m.id, m]));
    const members = new Map<number, MemberState[]>();
    for (const m of memberRows) {
      let list = members.get(m.dialogId);
      if (!list) members.set(m.dialogId, (list = []));
      list.push({ userId: m.userId, lastReadSeq: m.lastReadSeq });
    }
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      lastSeq: r.lastSeq,
      lastMessage: r.lastMessageId == null ? null : (byId.get(r.lastMessageId) ?? null),
      updatedAt: r.updatedAt,
      lastReadSeq: r.lastReadSeq,
      activityAt: r.activityAt,
      members: members.get(r.id) ?? [],
    }));
  }

  const sendTx = (widgetId: number, input: SendInput): SendResult => {
    const args = { widgetId, dialogId: input.dialogId };
    const me = q.memberDialog.get({ ...args, userId: input.senderId });
    if (input.clientMsgId !== null) {
      const existing = q.messageByClientId.get({ widgetId, senderId: input.senderId, clientMsgId: input.clientMsgId });
      if (existing) {
        return existing.dialogId === input.dialogId && me
          ? { kind: 'duplicate', message: existing }
          : { kind: 'client_msg_id_conflict' };
      }
    }
    if (!me) return { kind: 'not_member' };
    const bumped = q.bumpSeq.get({ ...args, now: input.now });
    if (!bumped) return { kind: 'not_member' };
    const seq = bumped.seq;
    const row = q.insertMessage.get({
      ...args,
      seq,
      senderId: input.senderId,
      text: input.text,
      clientMsgId: input.clientMsgId,
      now: input.now,
    });
    if (!row) throw new Error('message insert returned no row');
    q.setLastMessage.run({ ...args, messageId: row.id });
    q.touchMembers.run({ ...args, now: input.now, senderId: input.senderId, seq });
    return {
      kind: 'created',
      message: {
        id: row.id,
        dialogId: input.dialogId,
        seq,
        senderId: input.senderId,
        text: input.text,
        clientMsgId: input.clientMsgId,
        createdAt: input.now,
      },
      dialogType: me.type,
      members: q.membersOf.all(args),
    };
  };

  const store: Store = {
    async getWidgetByDevId(devId) {
      return q.widgetByDevId.get({ devId }) ?? null;
    },
    async listWidgets() {
      return db.select().from(t.widgets).orderBy(asc(t.widgets.id)).all();
    },
    async insertWidget(widget: NewWidget, now) {
      return db.insert(t.widgets).values({ ...widget, createdAt: now, updatedAt: now }).returning().get();
    },
    async updateWidget(devId: string, patch: WidgetPatch, now) {
      const row = db.update(t.widgets).set({ ...patch, updatedAt: now }).where(eq(t.widgets.devId, devId)).returning().get();
      return (row as WidgetRow | undefined) ?? null;
    },

    async openDirectDialog(widgetId, a, b, now) {
      const [x, y] = a < b ? [a, b] : [b, a];
      const directKey = `${x}\u0000${y}`;
      return db.transaction((tx) => {
        const existing = tx
          .select({ id: t.dialogs.id })
          .from(t.dialogs)
          .where(and(eq(t.dialogs.widgetId, widgetId), eq(t.dialogs.directKey, directKey)))
          .get();
        if (existing) return { dialogId: existing.id, created: false };
        const row = tx
          .insert(t.dialogs)
          .values({ widgetId, type: 'direct', directKey, createdBy: a, createdAt: now, updatedAt: now })
          .returning({ id: t.dialogs.id })
          .get();
        tx.insert(t.dialogMembers)
          .values([x, y].map((userId) => ({ widgetId, dialogId: row.id, userId, activityAt: now, joinedAt: now })))
          .run();
        return { dialogId: row.id, created: true };
      }, { behavior: 'immediate' });
    },

    async getMembership(widgetId, dialogId, userId) {
      const row = q.memberDialog.get({ widgetId, dialogId, userId });
      return row ? { lastSeq: row.lastSeq, lastReadSeq: row.lastReadSeq } : null;
    },

    async getDialogForMember(widgetId, dialogId, userId) {
      const row = q.memberDialog.get({ widgetId, dialogId, userId });
      return row ? (hydrate(widgetId, [row])[0] ?? null) : null;
    },

    async listDialogsForMember(widgetId, userId, cursor: DialogCursor | null, limit) {
      const m = t.dialogMembers;
      const visible = or(gt(t.dialogs.lastSeq, 0), eq(t.dialogs.createdBy, userId));
      const where = cursor
        ? and(
            eq(m.widgetId, widgetId),
            eq(m.userId, userId),
            or(lt(m.activityAt, cursor.activityAt), and(eq(m.activityAt, cursor.activityAt), lt(m.dialogId, cursor.dialogId))),
            visible,
          )
        : and(eq(m.widgetId, widgetId), eq(m.userId, userId), visible);
      const rows = db
        .select(listColumns)
        .from(m)
        .innerJoin(t.dialogs, eq(t.dialogs.id, m.dialogId))
        .where(where)
        .orderBy(desc(m.activityAt), desc(m.dialogId))
        .limit(limit)
        .all();
      return hydrate(widgetId, rows);
    },

    async sendMessage(widgetId, input) {
      return db.transaction(() => sendTx(widgetId, input), { behavior: 'immediate' });
    },

    async listMessages(widgetId, dialogId, query: MessageQuery) {
      const args = { widgetId, dialogId, limit: query.limit };
      if (query.after !== undefined) return q.after.all({ ...args, seq: query.after });
      const rows = query.before !== undefined ? q.before.all({ ...args, seq: query.before }) : q.newest.all(args);
      return rows.reverse();
    },

    async markRead(widgetId, dialogId, userId, messageId): Promise<ReadResult> {
      return db.transaction(() => {
        const me = q.memberDialog.get({ widgetId, dialogId, userId });
        if (!me) return { kind: 'not_member' } as const;
        const message = q.messageInDialog.get({ widgetId, dialogId, id: messageId });
        if (!message) return { kind: 'message_not_found' } as const;
        const changed = q.advanceRead.run({ widgetId, dialogId, userId, seq: message.seq }).changes > 0;
        const members = q.membersOf.all({ widgetId, dialogId });
        const seq = Math.max(me.lastReadSeq, message.seq);
        const effectiveId = changed ? message.id : (q.messageBySeq.get({ widgetId, dialogId, seq })?.id ?? message.id);
        return { kind: 'ok', changed, seq, messageId: effectiveId, lastSeq: me.lastSeq, members } as const;
      }, { behavior: 'immediate' });
    },

    async close() {
      sqlite.close();
    },
  };
  return store;
}
