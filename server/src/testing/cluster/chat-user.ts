// One chat user of the cluster test, speaking the raw protocol as the widget does: a WebSocket that
// resumes from the highest event_id it applied, every frame it ever received kept for the checks,
// and a REST client. Knows which node each socket landed on (nginx's X-ImbaChat-Node header).
import { WebSocket } from 'ws';
import type { Message, ServerFrame } from '../../realtime/protocol.ts';
import { within } from '../ws-client.ts';
import { type Cluster, DEV_ID } from './cluster.ts';

export type Frame = ServerFrame & { event_id?: number };
type Ready = Extract<ServerFrame, { type: 'ready' }>;

/** A frame as received: on which socket (1, 2, … in connect order) and from which node. */
export interface Received {
  frame: Frame;
  socket: number;
  node: string;
}

export interface Ack {
  id: number;
  seq: number;
  dialogId: number;
  clientMsgId: string;
  /** The node that acknowledged it. */
  node: string;
}

export class ChatUser {
  /** Every frame of every socket, in arrival order. */
  readonly received: Received[] = [];
  /** The highest event_id applied: what a reconnect sends as resume_from. */
  lastEventId = 0;
  /** The node of the open socket; null while disconnected. */
  node: string | null = null;
  /** Closes the test did not ask for (node died, Redis restart cut it…), with their codes. */
  readonly drops: number[] = [];
  private ws: WebSocket | null = null;
  private sockets = 0;
  private token = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    private readonly cluster: Cluster,
  ) {}

  /**
   * Opens a socket on node `index`: through nginx until round robin lands it there (a socket that
   * lands elsewhere is closed before auth, so it never counts as a connection), or straight to the node.
   */
  async connectTo(index: number): Promise<Ready> {
    const wanted = this.cluster.nodes[index]!;
    // nginx sends nothing to a node for fail_timeout after it failed: a node just restarted gets
    // sockets again only then. No event says so, so this asks again, bounded.
    const deadline = Date.now() + 15_000;
    for (;;) {
      for (let attempt = 0; attempt < 2 * this.cluster.nodes.length; attempt++) {
        const { ws, node } = await this.open(this.cluster.balancer?.url ?? wanted.url);
        if (node === wanted.address) return this.auth(ws, node, false);
        ws.terminate();
      }
      if (Date.now() > deadline) throw new Error(`${this.id}: nginx sent no socket to node ${index} (${wanted.address}) within 15 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Reconnects after a drop with resume_from: through nginx wherever it sends it, or to node `fallback`. */
  async reconnect(fallback: number): Promise<Ready> {
    const { ws, node } = await this.open(this.cluster.balancer?.url ?? this.cluster.nodes[fallback]!.url);
    return this.auth(ws, node, true);
  }

  /** Closes the socket as a person closing the tab would. */
  async disconnect(): Promise<void> {
    const ws = this.ws;
    this.ws = null;
    this.node = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }

  send(frame: unknown): void {
    if (!this.ws) throw new Error(`${this.id} has no socket`);
    this.ws.send(JSON.stringify(frame));
  }

  /** Resolves with the first frame (from now or earlier, see `from`) that matches; fails after `ms`. */
  waitFor(what: string, match: (f: Frame) => boolean, from = 0, ms = 15_000): Promise<Frame> {
    return this.until(what, () => this.received.slice(from).find((r) => match(r.frame))?.frame, ms);
  }

  /** Resolves once `check` answers something other than undefined, re-checked after every frame. */
  until<T>(what: string, check: () => T | undefined, ms = 15_000): Promise<T> {
    let wake: () => void = () => {};
    const found = new Promise<T>((resolve) => {
      wake = () => {
        const v = check();
        if (v !== undefined) resolve(v);
      };
      this.waiters.add(wake);
      wake();
    });
    return within(found, `${this.id}: ${what}`, ms).finally(() => this.waiters.delete(wake));
  }

  /** The message.new frames of people's messages received, in order (duplicates kept: the checks look for them); system messages (a group's creation) are not what the checks count. */
  messages(dialogId?: number): Array<{ eventId: number; message: Message }> {
    return this.received.flatMap(({ frame: f }) =>
      f.type === 'message.new' && f.event_id !== undefined && f.message.kind === 'text' && (dialogId === undefined || f.message.dialog_id === dialogId)
        ? [{ eventId: f.event_id, message: f.message }]
        : [],
    );
  }

  /** The event_ids of every stream frame, over every socket, in arrival order. */
  eventIds(): number[] {
    return this.received.flatMap(({ frame }) => (frame.event_id === undefined ? [] : [frame.event_id]));
  }

  /** One REST call; `node` is the node that answered (nginx's header, or the node asked). */
  async api(method: string, path: string, body?: unknown, base?: string): Promise<{ status: number; body: any; node: string }> {
    this.token ||= await this.cluster.token(this.id);
    const url = base ?? this.cluster.balancer?.url ?? this.cluster.nodes.find((n) => n.process)!.url;
    const res = await fetch(`${url}/api/v1/${DEV_ID}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const node = res.headers.get('x-imbachat-node') ?? new URL(url).host;
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, node };
  }

  private async open(url: string): Promise<{ ws: WebSocket; node: string }> {
    if (this.ws) throw new Error(`${this.id} is still connected`);
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/${DEV_ID}/ws`);
    let node = new URL(url).host;
    // Errors after the open (a reset when the node dies) are followed by 'close', which counts the drop.
    ws.on('error', () => {});
    ws.once('upgrade', (res) => {
      const header = res.headers['x-imbachat-node'];
      if (typeof header === 'string') node = header;
    });
    await within(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      `${this.id}: opening a socket at ${url}`,
    );
    return { ws, node };
  }

  private async auth(ws: WebSocket, node: string, resume: boolean): Promise<Ready> {
    this.token ||= await this.cluster.token(this.id);
    const socket = ++this.sockets;
    this.ws = ws;
    this.node = node;
    const from = this.received.length;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.received.push({ frame, socket, node });
      if (frame.event_id !== undefined) this.lastEventId = Math.max(this.lastEventId, frame.event_id);
      for (const w of [...this.waiters]) w();
    });
    let closedWith: string | null = null;
    ws.once('close', (code, reason) => {
      closedWith = `${code} ${reason.toString()}`;
      if (this.ws !== ws) return; // closed by disconnect()
      this.ws = null;
      this.node = null;
      this.drops.push(code);
      for (const w of [...this.waiters]) w();
    });
    ws.send(JSON.stringify(resume ? { type: 'auth', token: this.token, resume_from: this.lastEventId } : { type: 'auth', token: this.token }));
    const answer = await this.until('ready', () => this.received.slice(from).find((r) => r.socket === socket && r.frame.type === 'ready')?.frame ?? closedWith ?? undefined);
    if (typeof answer === 'string') throw new Error(`${this.id}: the socket on ${node} closed with ${answer} before ready`);
    const ready = answer as Ready;
    // A fresh start's stream stands at last_event_id (docs/protocol.md); frames after it are later.
    if (!resume) this.lastEventId = Math.max(this.lastEventId, ready.last_event_id);
    return ready;
  }

  get connected(): boolean {
    return this.ws !== null;
  }
}
