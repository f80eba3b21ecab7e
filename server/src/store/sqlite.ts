// The embedded store: one SQLite file in WAL mode, drizzle migrations applied at open, and the
// hot paths (send, page of messages, dialog list) as statements prepared once.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type SQL, and, asc, desc, eq, gt, inArray, lt, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as t from './schema.ts';
import type {
  CreatedMessage,
  DeliveredChange,
  DialogCursor,
  DialogView,
  EventBuilder,
  MemberState,
  OutEvent,
  ReadChange,
  StreamPage,
  StreamedEvent,
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

export interface SqliteOptions {
  /** Sees every statement as it runs (tests use it to check query plans). */
  onQuery?: (sql: string, params: unknown[]) => void;
}

export function openSqliteStore(file: string, options: SqliteOptions = {}): Store {
  mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode keeps the database consistent on power loss and loses no committed
  // transaction on a process crash; only an OS crash may roll back the newest commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const onQuery = options.onQuery;
  const db = drizzle({ client: sqlite, schema: t, ...(onQuery && { logger: { logQuery: onQuery } }) });
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

  /** Moves one member's position column forward to :seq, never backwards. */
  const advance = (key: 'lastReadSeq' | 'lastDeliveredSeq') =>
    db
      .update(t.dialogMembers)
      .set({ [key]: sql`${p('seq')}` })
      .where(
        and(
          eq(t.dialogMembers.widgetId, p('widgetId')),
          eq(t.dialogMembers.dialogId, p('dialogId')),
          eq(t.dialogMembers.userId, p('userId')),
          lt(t.dialogMembers[key], p('seq')),
        ),
      )
      .prepare();

  /** A page of one dialog's messages within an optional seq bound, walking the seq index either way. */
  const messagePage = (bound: SQL | undefined, order: typeof asc) =>
    db
      .select(messageColumns)
      .from(t.messages)
      .where(and(eq(t.messages.widgetId, p('widgetId')), eq(t.messages.dialogId, p('dialogId')), bound))
      .orderBy(order(t.messages.seq))
      .limit(p('limit'))
      .prepare();

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
      .select({
        userId: t.dialogMembers.userId,
        lastReadSeq: t.dialogMembers.lastReadSeq,
        lastDeliveredSeq: t.dialogMembers.lastDeliveredSeq,
        lastSeenAt: t.userStates.lastSeenAt,
      })
      .from(t.dialogMembers)
      .leftJoin(t.userStates, and(eq(t.userStates.widgetId, t.dialogMembers.widgetId), eq(t.userStates.userId, t.dialogMembers.userId)))
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
        lastDeliveredSeq: sql`CASE WHEN ${t.dialogMembers.userId} = ${p('senderId')} THEN ${p('seq')} ELSE ${t.dialogMembers.lastDeliveredSeq} END`,
      })
      .where(and(eq(t.dialogMembers.widgetId, p('widgetId')), eq(t.dialogMembers.dialogId, p('dialogId'))))
      .prepare(),
    advanceRead: advance('lastReadSeq'),
    bumpEventId: db
      .insert(t.userStates)
      .values({ widgetId: p('widgetId'), userId: p('userId'), lastEventId: 1 })
      .onConflictDoUpdate({
        target: [t.userStates.widgetId, t.userStates.userId],
        set: { lastEventId: sql`${t.userStates.lastEventId} + 1` },
      })
      .returning({ eventId: t.userStates.lastEventId })
      .prepare(),
    insertEvent: db
      .insert(t.userEvents)
      .values({ widgetId: p('widgetId'), userId: p('userId'), eventId: p('eventId'), body: p('body'), createdAt: p('now') })
      .prepare(),
    streamHead: db
      .select({ head: t.userStates.lastEventId })
      .from(t.userStates)
      .where(and(eq(t.userStates.widgetId, p('widgetId')), eq(t.userStates.userId, p('userId'))))
      .prepare(),
    streamAfter: db
      .select({ eventId: t.userEvents.eventId, body: t.userEvents.body })
      .from(t.userEvents)
      .where(
        and(eq(t.userEvents.widgetId, p('widgetId')), eq(t.userEvents.userId, p('userId')), gt(t.userEvents.eventId, p('after'))),
      )
      .orderBy(asc(t.userEvents.eventId))
      .limit(p('limit'))
      .prepare(),
    advanceDelivered: advance('lastDeliveredSeq'),
    undelivered: db
      .select({ dialogId: t.dialogMembers.dialogId, seq: t.dialogs.lastSeq })
      .from(t.dialogMembers)
      .innerJoin(t.dialogs, eq(t.dialogs.id, t.dialogMembers.dialogId))
      .where(
        and(
          eq(t.dialogMembers.widgetId, p('widgetId')),
          eq(t.dialogMembers.userId, p('userId')),
          lt(t.dialogMembers.lastDeliveredSeq, t.dialogs.lastSeq),
        ),
      )
      .prepare(),
    newest: messagePage(undefined, desc),
    before: messagePage(lt(t.messages.seq, p('seq')), desc),
    after: messagePage(gt(t.messages.seq, p('seq')), asc),
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
      .select({
        dialogId: t.dialogMembers.dialogId,
        userId: t.dialogMembers.userId,
        lastReadSeq: t.dialogMembers.lastReadSeq,
        lastDeliveredSeq: t.dialogMembers.lastDeliveredSeq,
        lastSeenAt: t.userStates.lastSeenAt,
        joinedAt: t.dialogMembers.joinedAt,
      })
      .from(t.dialogMembers)
      .leftJoin(t.userStates, and(eq(t.userStates.widgetId, widgetId), eq(t.userStates.userId, t.dialogMembers.userId)))
      .where(and(eq(t.dialogMembers.widgetId, widgetId), inArray(t.dialogMembers.dialogId, ids)))
      .all()
      // Sorted here: the rows of one page of dialogs are few, and SQL would sort them in a temp b-tree.
      .sort((a, b) => a.joinedAt - b.joinedAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    const lastIds = rows.flatMap((r) => (r.lastMessageId == null ? [] : [r.lastMessageId]));
    const lastMessages = lastIds.length
      ? db
          .select(messageColumns)
          .from(t.messages)
          // Unary + keeps the planner on the primary key instead of a tenant-wide range of another index.
          .where(and(inArray(t.messages.id, lastIds), eq(sql`+${t.messages.widgetId}`, widgetId)))
          .all()
      : [];
    const byId = new Map(lastMessages.map((m) => [m.id, m]));
    const members = new Map<number, MemberState[]>();
    for (const m of memberRows) {
      let list = members.get(m.dialogId);
      if (!list) members.set(m.dialogId, (list = []));
      list.push({ userId: m.userId, lastReadSeq: m.lastReadSeq, lastDeliveredSeq: m.lastDeliveredSeq, lastSeenAt: m.lastSeenAt });
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

  /** Gives each recipient the next id of their stream and stores the event; call inside a transaction. */
  const append = (widgetId: number, events: OutEvent[], now: number): StreamedEvent[] =>
    events.map((e) => ({
      body: e.body,
      ...(e.receipt && { receipt: e.receipt }),
      to: e.userIds.map((userId) => {
        const { eventId } = q.bumpEventId.get({ widgetId, userId })!;
        q.insertEvent.run({ widgetId, userId, eventId, body: e.body, now });
        return { userId, eventId };
      }),
    }));

  const sendTx = (widgetId: number, input: SendInput, build: EventBuilder<CreatedMessage>): SendResult => {
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
    const created: CreatedMessage = {
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
    return { kind: 'created', ...created, events: append(widgetId, build(created), input.now) };
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

    async getMemberIds(widgetId, dialogId) {
      return q.membersOf.all({ widgetId, dialogId }).map((m) => m.userId);
    },

    async sendMessage(widgetId, input, build) {
      return db.transaction(() => sendTx(widgetId, input, build), { behavior: 'immediate' });
    },

    async listMessages(widgetId, dialogId, query: MessageQuery) {
      const args = { widgetId, dialogId, limit: query.limit };
      if (query.after !== undefined) return q.after.all({ ...args, seq: query.after });
      const rows = query.before !== undefined ? q.before.all({ ...args, seq: query.before }) : q.newest.all(args);
      return rows.reverse();
    },

    async markRead(widgetId, dialogId, userId, messageId, build): Promise<ReadResult> {
      return db.transaction(() => {
        const me = q.memberDialog.get({ widgetId, dialogId, userId });
        if (!me) return { kind: 'not_member' } as const;
        const message = q.messageInDialog.get({ widgetId, dialogId, id: messageId });
        if (!message) return { kind: 'message_not_found' } as const;
        const changed = q.advanceRead.run({ widgetId, dialogId, userId, seq: message.seq }).changes > 0;
        const members = q.membersOf.all({ widgetId, dialogId });
        const seq = Math.max(me.lastReadSeq, message.seq);
        const effectiveId = changed ? message.id : (q.messageBySeq.get({ widgetId, dialogId, seq })?.id ?? message.id);
        const change: ReadChange = { changed, seq, messageId: effectiveId, lastSeq: me.lastSeq, members };
        return { kind: 'ok', ...change, events: changed ? append(widgetId, build(change), Date.now()) : [] } as const;
      }, { behavior: 'immediate' });
    },

    async markDelivered(widgetId, userId, target, build) {
      return db.transaction(() => {
        const targets = target ? [target] : q.undelivered.all({ widgetId, userId });
        const now = Date.now();
        const out: Array<DeliveredChange & { events: StreamedEvent[] }> = [];
        for (const { dialogId, seq } of targets) {
          if (q.advanceDelivered.run({ widgetId, dialogId, userId, seq }).changes === 0) continue;
          const change: DeliveredChange = { dialogId, userId, seq, members: q.membersOf.all({ widgetId, dialogId }) };
          out.push({ ...change, events: append(widgetId, build(change), now) });
        }
        return out;
      }, { behavior: 'immediate' });
    },

    async appendEvents(widgetId, events, now) {
      return db.transaction(() => append(widgetId, events, now), { behavior: 'immediate' });
    },

    async streamHead(widgetId, userId) {
      return q.streamHead.get({ widgetId, userId })?.head ?? 0;
    },

    async readStream(widgetId, userId, afterId, limit): Promise<StreamPage> {
      return db.transaction(() => {
        const head = q.streamHead.get({ widgetId, userId })?.head ?? 0;
        if (afterId === head) return { head, events: [], complete: true };
        if (afterId > head) return { head, events: [], complete: false };
        const events = q.streamAfter.all({ widgetId, userId, after: afterId, limit });
        const complete = events[0]?.eventId === afterId + 1 && events.length < limit;
        return { head, events: complete ? events : [], complete };
      });
    },

    async pruneEvents(before) {
      return db.delete(t.userEvents).where(lt(t.userEvents.createdAt, before)).run().changes;
    },

    async contactsOf(widgetId, userId) {
      const mine = alias(t.dialogMembers, 'mine');
      const rows = db
        .selectDistinct({ userId: t.dialogMembers.userId })
        .from(mine)
        .innerJoin(t.dialogMembers, and(eq(t.dialogMembers.dialogId, mine.dialogId), eq(t.dialogMembers.widgetId, widgetId)))
        .where(and(eq(mine.widgetId, widgetId), eq(mine.userId, userId), ne(t.dialogMembers.userId, userId)))
        .all();
      return rows.map((r) => r.userId);
    },

    async setLastSeen(widgetId, userId, at) {
      db.insert(t.userStates)
        .values({ widgetId, userId, lastSeenAt: at })
        .onConflictDoUpdate({ target: [t.userStates.widgetId, t.userStates.userId], set: { lastSeenAt: at } })
        .run();
    },

    async close() {
      sqlite.close();
    },
  };
  return store;
}
