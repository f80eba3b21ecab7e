// Message rules: sending (idempotent per client_msg_id), paging history, read and delivered
// positions. Sends, reads and deliveries are group-committed: whatever arrives while a batch
// commits goes into the next one, and each batch's events are published, in position order,
// before its callers are answered (so a POST is answered only after its message is committed).
import type { Logger } from 'pino';
import { publishEvent, publishTo } from '../bus/publish.ts';
import type { EventBus } from '../bus/types.ts';
import { type Caller, dialogNotFound } from '../dialogs/service.ts';
import { toWireMessage } from '../dialogs/wire.ts';
import { AppError } from '../errors.ts';
import { eventFrame, receiptFrame, serialise } from '../realtime/frames.ts';
import type { Message, Page, ReadAnswer } from '../realtime/protocol.ts';

/** GET …/read-by: who read a message, most recent first. */
export interface ReadByAnswer {
  items: Array<{ user_id: string; read_at: string }>;
  count: number;
}
import type { DeliveryInput, DeliveryResult, MessageQuery, ReadInput, ReadResult, SendInput, SendResult, Store, WidgetRow } from '../store/types.ts';
import { Batcher } from '../util/batcher.ts';
import { fileLinks } from '../files/links.ts';

/** Largest batch of one commit. Bigger batches commit faster per message but make the first wait longer. */
const MAX_BATCH = 512;
/**
 * How long a delivery waits for others before its batch commits. Each commit writes every page it
 * touched to the WAL, so one commit per arrival cost as much as the sends themselves; a tick that
 * turns double 20 ms later is not something a person can see.
 */
const DELIVERY_DELAY_MS = 20;

export class MessageService {
  private readonly sends: Batcher<SendInput, SendResult>;
  private readonly reads: Batcher<ReadInput, ReadResult>;
  private readonly deliveries: Batcher<DeliveryInput, DeliveryResult>;
  /** Deliveries waiting for the next batch, one per dialog and member: later arrivals raise the seq. */
  private readonly reached = new Map<string, DeliveryInput>();
  /** The widget of each send in flight (its links are signed with the widget's key). */
  private readonly senders = new WeakMap<SendInput, WidgetRow>();
  /** Who sent what reached each pending delivery (a group tells them, and only them). */
  private readonly reachedFrom = new Map<DeliveryInput, Set<string>>();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    const onError = (err: unknown) => log.error({ err }, 'a batch commit failed');
    this.sends = new Batcher((inputs) => this.commitSends(inputs), { maxBatch: MAX_BATCH, onError });
    this.reads = new Batcher((inputs) => this.commitReads(inputs), { maxBatch: MAX_BATCH, onError });
    this.deliveries = new Batcher((inputs) => this.commitDeliveries(inputs), { maxBatch: MAX_BATCH, delayMs: DELIVERY_DELAY_MS, onError });
  }

  async send(
    caller: Caller,
    dialogId: number,
    text: string,
    clientMsgId: string | null,
    attachmentIds: readonly string[] = [],
  ): Promise<{ message: Message; created: boolean }> {
    const input: SendInput = { widgetId: caller.widget.id, dialogId, senderId: caller.userId, text, clientMsgId, attachmentIds, now: this.now() };
    this.senders.set(input, caller.widget);
    const result = await this.sends.submit(input);
    const links = () => fileLinks(caller.widget, this.now());
    switch (result.kind) {
      case 'not_member':
        throw dialogNotFound();
      case 'client_msg_id_conflict':
        throw new AppError('client_msg_id_conflict', 409, 'This client_msg_id was already used for a message in another dialog.');
      case 'upload_not_found':
        throw new AppError('upload_not_found', 404, `No upload ${result.uploadId} of yours is waiting to be sent: it was never made, was removed, or was cleaned up an hour after it was uploaded.`);
      case 'upload_already_used':
        throw new AppError('upload_already_used', 409, `The upload ${result.uploadId} was already sent with another message; upload the file again to send it again.`);
      case 'duplicate':
        return { message: toWireMessage(result.message, links()), created: false };
      case 'created':
        return { message: toWireMessage(result.message, links()), created: true };
    }
  }

  /**
   * A page of what the caller may see: a departed member up to their departure, a member of a
   * from_join group from their joining.
   */
  async list(caller: Caller, dialogId: number, query: MessageQuery): Promise<Page<Message>> {
    const membership = await this.store.getMembership(caller.widget.id, dialogId, caller.userId);
    if (!membership) throw dialogNotFound();
    const departed = membership.membership !== 'member';
    const rows = await this.store.listMessages(caller.widget.id, dialogId, {
      ...query,
      visibleAfter: membership.visibleAfter,
      visibleThrough: departed ? membership.lastSeq : undefined,
    });
    let next: number | null = null;
    if (query.after !== undefined) {
      const newest = rows.at(-1);
      if (newest && newest.seq < membership.lastSeq) next = newest.seq;
    } else {
      const oldest = rows[0];
      if (rows.length === query.limit && oldest && oldest.seq > membership.visibleAfter + 1) next = oldest.seq;
    }
    const links = fileLinks(caller.widget, this.now());
    return { items: rows.map((m) => toWireMessage(m, links)), next_cursor: next === null ? null : String(next) };
  }

  /**
   * The other current members whose read position reached the message (neither the caller nor
   * its sender), with when it first did, most recent first.
   */
  async readBy(caller: Caller, dialogId: number, messageId: number): Promise<ReadByAnswer> {
    const membership = await this.store.getMembership(caller.widget.id, dialogId, caller.userId);
    if (!membership || membership.membership !== 'member') throw dialogNotFound();
    const found = await this.store.readBy(caller.widget.id, dialogId, messageId);
    if (!found || found.seq <= membership.visibleAfter) throw new AppError('message_not_found', 404, 'That message is not in this dialog.');
    const items = found.readers
      .filter((r) => r.userId !== caller.userId && r.userId !== found.senderId)
      .map((r) => ({ user_id: r.userId, read_at: new Date(r.readAt).toISOString() }));
    return { items, count: items.length };
  }

  async markRead(caller: Caller, dialogId: number, messageId: number): Promise<ReadAnswer> {
    const result = await this.reads.submit({ widgetId: caller.widget.id, dialogId, userId: caller.userId, messageId, now: this.now() });
    if (result.kind === 'not_member') throw dialogNotFound();
    if (result.kind === 'message_not_found') throw new AppError('message_not_found', 404, 'That message is not in this dialog.');
    return {
      dialog_id: dialogId,
      user_id: caller.userId,
      message_id: result.messageId,
      seq: result.seq,
      unread_count: result.unreadCount,
    };
  }

  /** A message reached one of the member's connections: their delivered position moves in the next batch. */
  delivered(widgetId: number, userId: string, dialogId: number, seq: number, senderId?: string): void {
    const key = `${widgetId}\u0000${dialogId}\u0000${userId}`;
    const pending = this.reached.get(key);
    if (pending) {
      pending.seq = Math.max(pending.seq, seq);
      if (senderId !== undefined) this.reachedFrom.get(pending)?.add(senderId);
      return;
    }
    const input: DeliveryInput = { widgetId, dialogId, userId, seq, now: this.now() };
    this.reached.set(key, input);
    this.reachedFrom.set(input, new Set(senderId === undefined ? [] : [senderId]));
    this.deliveries.submit(input).then(
      () => {},
      () => {}, // logged by the batcher; the next message or the next connect records it again
    );
  }

  /** The user came online: everything sent to them so far counts as delivered. */
  async deliveredAll(widgetId: number, userId: string): Promise<void> {
    for (const { dialogId, seq } of await this.store.undelivered(widgetId, userId)) this.delivered(widgetId, userId, dialogId, seq);
  }

  /** Resolves once every submitted send, read and delivery has been committed and published. */
  async idle(): Promise<void> {
    await Promise.all([this.sends.idle(), this.reads.idle(), this.deliveries.idle()]);
  }

  private async commitSends(inputs: SendInput[]): Promise<SendResult[]> {
    const results = await this.store.commitSends(inputs);
    results.forEach((r, i) => {
      const widget = this.senders.get(inputs[i]!)!;
      if (r.kind !== 'created') return;
      const { message, event } = r;
      void publishEvent(this.bus, inputs[i]!.widgetId, event, r.memberIds, {
        frame: eventFrame(event, message, fileLinks(widget, this.now()))!,
        eventId: event.eventId,
        receipt: { dialogId: message.dialogId, seq: message.seq, senderId: inputs[i]!.senderId },
      }).catch((err) => this.log.error({ err }, 'could not publish a message'));
    });
    return results;
  }

  private async commitReads(inputs: ReadInput[]): Promise<ReadResult[]> {
    const results = await this.store.commitReads(inputs);
    results.forEach((r, i) => {
      if (r.kind !== 'ok' || !r.event) return;
      const widgetId = inputs[i]!.widgetId;
      const frame = receiptFrame(r.event)!;
      void publishEvent(this.bus, widgetId, r.event, r.memberIds, { frame, eventId: r.event.eventId }).catch((err) =>
        this.log.error({ err }, 'could not publish a read receipt'),
      );
      // A group's read is logged for the reader's own tabs; the message's sender is told live.
      if (r.dialogType === 'group' && r.messageSenderId !== null && r.messageSenderId !== r.event.userId) {
        const live = serialise({ type: 'message.read', dialog_id: r.event.dialogId, user_id: r.event.userId, message_id: r.messageId, seq: r.seq });
        void publishTo(this.bus, widgetId, [r.messageSenderId], live).catch((err) =>
          this.log.error({ err }, 'could not publish a read receipt'),
        );
      }
    });
    return results;
  }

  private async commitDeliveries(inputs: DeliveryInput[]): Promise<DeliveryResult[]> {
    // From here on a new arrival starts a new entry (for the next batch).
    const senders = inputs.map((i) => {
      this.reached.delete(`${i.widgetId}\u0000${i.dialogId}\u0000${i.userId}`);
      const from = this.reachedFrom.get(i);
      this.reachedFrom.delete(i);
      return from ?? new Set<string>();
    });
    const results = await this.store.commitDeliveries(inputs);
    // Groups: one frame per dialog and batch, to the senders of what arrived, naming the member it
    // reached furthest; the rest is in members_state.
    const groups = new Map<number, { widgetId: number; userId: string; seq: number; senders: Set<string> }>();
    results.forEach((r, i) => {
      if (!r) return;
      const input = inputs[i]!;
      if (!r.event) {
        const g = groups.get(input.dialogId);
        if (!g) groups.set(input.dialogId, { widgetId: input.widgetId, userId: input.userId, seq: r.seq, senders: new Set(senders[i]) });
        else {
          for (const s of senders[i]!) g.senders.add(s);
          if (r.seq > g.seq) Object.assign(g, { userId: input.userId, seq: r.seq });
        }
        return;
      }
      // The member it reached has no use for their own delivered position: only the others get it.
      const others = r.memberIds.filter((m) => m !== input.userId);
      void publishEvent(this.bus, input.widgetId, r.event, others, { frame: receiptFrame(r.event)!, eventId: r.event.eventId }).catch((err) =>
        this.log.error({ err }, 'could not publish a delivery receipt'),
      );
    });
    for (const [dialogId, g] of groups) {
      g.senders.delete(g.userId);
      const frame = serialise({ type: 'message.delivered', dialog_id: dialogId, user_id: g.userId, seq: g.seq });
      void publishTo(this.bus, g.widgetId, [...g.senders], frame).catch((err) => this.log.error({ err }, 'could not publish a delivery receipt'));
    }
    return results;
  }
}
