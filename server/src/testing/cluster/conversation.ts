// Conversations of the cluster test: senders that retry each message with its client_msg_id until
// it is acknowledged (as the widget does), and the checks that every member got every acknowledged
// message exactly once, in log order, and that the store holds exactly what was acknowledged.
import type { Message } from '../../realtime/protocol.ts';
import type { Ack, ChatUser } from './chat-user.ts';
import type { Cluster } from './cluster.ts';

/** How long one message may take to be acknowledged, retries included, before the test fails. */
const ACK_GUARD_MS = 20_000;
/** Pause between two tries of one message: a client's backoff, not a wait for an event. */
const RETRY_PAUSE_MS = 50;

export interface SenderLoop {
  user: ChatUser;
  dialogId: number;
  /** Nodes to send to, in order of preference, when there is no balancer (default: every node). */
  nodes?: number[];
}

export class Conversation {
  /** Every acknowledgement, by client_msg_id. */
  readonly acks = new Map<string, Ack>();
  /** Tries that got no acknowledgement (no answer, 5xx, 502 from nginx, 429), with what they got. */
  readonly failedTries: string[] = [];
  /** Answers no retry explains (a 4xx other than 429, an acknowledgement that changed): each one fails the test. */
  readonly problems: string[] = [];
  private stopped = false;
  private failure: Error | null = null;
  private readonly ackListeners = new Set<() => void>();
  private counter = 0;

  constructor(
    private readonly cluster: Cluster,
    /** Gives each conversation its own client_msg_ids. */
    private readonly tag: string,
    /** Sends through the balancer when there is one; false sends straight to the loop's nodes. */
    private readonly viaBalancer = true,
  ) {}

  /** Sends one message, retrying with the same client_msg_id on any failure, until acknowledged. */
  async send(user: ChatUser, dialogId: number, text: string, nodes?: number[]): Promise<Ack> {
    const clientMsgId = `${this.tag}-${user.id}-${++this.counter}`;
    const deadline = Date.now() + ACK_GUARD_MS;
    for (let attempt = 0; ; attempt++) {
      const base = this.base(nodes, attempt);
      let answer: { status: number; body: any; node: string } | null = null;
      try {
        answer = await user.api('POST', `/dialogs/${dialogId}/messages`, { text, client_msg_id: clientMsgId }, base);
      } catch (err) {
        this.failedTries.push(`${clientMsgId}: ${(err as Error).message}`);
      }
      if (answer && (answer.status === 200 || answer.status === 201)) return this.acknowledge(clientMsgId, dialogId, answer.body as Message, answer.node);
      if (answer && answer.status < 500 && answer.status !== 429) {
        // No retry makes a refusal right: it fails the test at once, saying what it was.
        const problem = `${clientMsgId}: answered ${answer.status} ${JSON.stringify(answer.body)} from ${answer.node}`;
        this.problems.push(problem);
        throw new Error(problem);
      }
      if (answer) this.failedTries.push(`${clientMsgId}: ${answer.status} from ${answer.node}`);
      if (Date.now() > deadline) throw new Error(`${clientMsgId} was not acknowledged within ${ACK_GUARD_MS} ms: ${this.failedTries.slice(-3).join('; ')}`);
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }

  /** Every loop sends one message after another until stop(); resolves when all have stopped. */
  run(loops: SenderLoop[]): Promise<void> {
    this.stopped = false;
    const running = Promise.all(
      loops.map(async (l) => {
        for (let n = 1; !this.stopped; n++) await this.send(l.user, l.dialogId, `${l.user.id} says ${n}`, l.nodes);
      }),
    ).then(() => {});
    // A loop that gives up ends every wait on acknowledgements with its reason.
    running.catch((err: Error) => {
      this.failure = err;
      for (const l of [...this.ackListeners]) l();
    });
    return running;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Resolves once `n` more messages have been acknowledged than now; rejects when a loop of run() gave up. */
  async acked(n: number): Promise<void> {
    const target = this.acks.size + n;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.failure) reject(this.failure);
        else if (this.acks.size < target) return;
        else resolve();
        this.ackListeners.delete(check);
      };
      this.ackListeners.add(check);
      check();
    });
  }

  private base(nodes: number[] | undefined, attempt: number): string {
    if (this.viaBalancer && this.cluster.balancer) return this.cluster.balancer.url;
    // A client without a balancer fails over itself: the next live node of its list.
    const live = (nodes ?? this.cluster.nodes.map((n) => n.index)).map((i) => this.cluster.nodes[i]!).filter((n) => n.process);
    if (!live.length) throw new Error('no node of the list is running');
    return live[attempt % live.length]!.url;
  }

  private acknowledge(clientMsgId: string, dialogId: number, m: Message, node: string): Ack {
    const ack: Ack = { id: m.id, seq: m.seq, dialogId, clientMsgId, node };
    const earlier = this.acks.get(clientMsgId);
    if (earlier && (earlier.id !== ack.id || earlier.seq !== ack.seq)) this.problems.push(`${clientMsgId} was acknowledged as ${JSON.stringify(earlier)}, then as ${JSON.stringify(ack)}`);
    if (m.client_msg_id !== clientMsgId || m.dialog_id !== dialogId) this.problems.push(`${clientMsgId}: acknowledged as ${JSON.stringify(m)}`);
    if (!earlier) this.acks.set(clientMsgId, ack);
    for (const l of [...this.ackListeners]) l();
    return ack;
  }
}

export interface Member {
  user: ChatUser;
  dialogs: number[];
}

/**
 * Waits (in parallel, each bounded by `ms`) until every member has every acknowledged message of
 * their dialogs, then lists what is wrong: a message missing or received twice, one never
 * acknowledged, an event twice. A missing message is named with its event_id (from whoever
 * got it) and the events its receiver got around it, which tells a loss from a reordering.
 */
export async function deliveryProblems(members: Member[], acks: Ack[], ms = 15_000): Promise<string[]> {
  await Promise.allSettled(members.map((m) => receivedAll(m.user, m.dialogs, acks, ms)));
  const eventOf = new Map<number, number>();
  for (const { user } of members) for (const { eventId, message } of user.messages()) eventOf.set(message.id, eventId);
  return members.flatMap(({ user, dialogs }) => {
    const problems: string[] = [];
    const counts = new Map<number, number>();
    for (const d of dialogs) for (const { message } of user.messages(d)) counts.set(message.id, (counts.get(message.id) ?? 0) + 1);
    const ids = user.eventIds();
    for (const a of acks.filter((a) => dialogs.includes(a.dialogId))) {
      const n = counts.get(a.id) ?? 0;
      if (n === 1) continue;
      const e = eventOf.get(a.id);
      const around = e === undefined ? '' : `; around it ${user.id} got events ${ids.filter((i) => i < e).at(-1)} and ${ids.find((i) => i > e)}`;
      problems.push(`${user.id} got ${a.clientMsgId} (message ${a.id}, event ${e}, acknowledged by ${a.node}) ${n} times${around}`);
    }
    const known = new Set(acks.map((a) => a.id));
    for (const id of counts.keys()) if (!known.has(id)) problems.push(`${user.id} got message ${id}, which was never acknowledged`);
    // Across nodes a later event may come first (docs/protocol.md); each still comes once.
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`${user.id} got event ${id} twice`);
      seen.add(id);
    }
    return problems;
  });
}

/**
 * Resolves once `user` has received every acknowledged message of `dialogIds` (checked after every
 * frame); fails after `ms` naming what is missing.
 */
export async function receivedAll(user: ChatUser, dialogIds: number[], acks: Ack[], ms = 15_000): Promise<void> {
  const expected = acks.filter((a) => dialogIds.includes(a.dialogId));
  const missing = () => {
    const got = new Set(dialogIds.flatMap((d) => user.messages(d).map((m) => m.message.id)));
    return expected.filter((a) => !got.has(a.id));
  };
  try {
    await user.until(`every acknowledged message of dialogs ${dialogIds.join(', ')}`, () => (missing().length ? undefined : true), ms);
  } catch (err) {
    const lost = missing().map((a) => `${a.clientMsgId} (id ${a.id}, seq ${a.seq}, acknowledged by ${a.node})`);
    throw new Error(`${(err as Error).message}: ${lost.length} of ${expected.length} never arrived: ${lost.join(', ')}`);
  }
}

/** The dialog as stored, read page by page from `base`: seqs 1…N once each, and exactly the acknowledged messages. */
export async function storedProblems(user: ChatUser, dialogId: number, acks: Ack[], base?: string): Promise<string[]> {
  const stored: Message[] = [];
  for (let after = 0; ; ) {
    const page = await user.api('GET', `/dialogs/${dialogId}/messages?after=${after}&limit=100`, undefined, base);
    if (page.status !== 200) return [`reading dialog ${dialogId}: ${page.status}`];
    stored.push(...(page.body.items as Message[]));
    if (page.body.next_cursor === null) break;
    after = Number(page.body.next_cursor);
  }
  const problems: string[] = [];
  stored.forEach((m, i) => m.seq !== i + 1 && problems.push(`dialog ${dialogId}: position ${i + 1} holds seq ${m.seq}`));
  // A group's first message is the system message of its creation: nobody sent it.
  const texts = stored.filter((m) => m.kind === 'text');
  const byId = new Map(texts.map((m) => [m.id, m]));
  const mine = acks.filter((a) => a.dialogId === dialogId);
  for (const a of mine) {
    const m = byId.get(a.id);
    if (!m || m.seq !== a.seq || m.client_msg_id !== a.clientMsgId) problems.push(`${a.clientMsgId} is not stored as acknowledged (${JSON.stringify(m)})`);
  }
  if (texts.length !== mine.length) problems.push(`dialog ${dialogId} holds ${texts.length} messages, ${mine.length} were acknowledged`);
  return problems;
}
