// The IPC contract between the bench runner and its load workers: what a worker is told to do and
// what it answers. Workers never talk to each other; the runner joins their figures.

export type TargetKind = 'imbachat' | 'ws' | 'socketio';

export interface ClientSpec {
  userId: number;
  /** A JWT for ImbaChat; the user id itself for the references. */
  token: string;
}

/** One sender's stream of messages into one conversation. */
export interface FlowSpec {
  senderId: number;
  token: string;
  /** Request path of the POST: ImbaChat's dialog messages, or the references' /send. */
  path: string;
  /** Who must receive it on a socket (never the sender). */
  recipients: number[];
}

export interface ConnectCmd {
  cmd: 'connect';
  target: TargetKind;
  baseUrl: string;
  devId: string;
  clients: ClientSpec[];
  concurrency: number;
}

export interface RunCmd {
  cmd: 'run';
  /** Tells this window's messages apart from late ones of an earlier window. */
  tag: string;
  target: TargetKind;
  baseUrl: string;
  flows: FlowSpec[];
  /** Messages per second from this worker. */
  rate: number;
  /** Epoch ms at which every worker starts sending, so their schedules line up. */
  startAt: number;
  durationMs: number;
  /** Messages sent before this many ms count for loss but not for latency. */
  warmupMs: number;
  maxSockets: number;
  requestTimeoutMs: number;
}

export type WorkerCmd =
  | ConnectCmd
  | RunCmd
  | { cmd: 'received'; tag: string }
  | { cmd: 'collect'; tag: string }
  | { cmd: 'disconnect' };

export interface ConnectResult {
  ready: number;
  failed: number;
  firstError: string | null;
}

export interface RunResult {
  sent: number;
  acked: number;
  failed: number;
  firstError: string | null;
  /** Deliveries owed for acked messages: per message n, its recipient count, or 0 when not acked. */
  expected: Uint16Array;
  /** HTTP request start → response end, ms, for acked messages after the warm-up. */
  ackMs: Float64Array;
  /** How far the open-loop schedule fell behind at worst (the generator's own saturation), ms. */
  maxLagMs: number;
  /** When the last POST finished, epoch ms. */
  doneAt: number;
}

export interface CollectResult {
  /** Per sending worker index, deliveries counted per message n. */
  counts: Record<number, Uint32Array>;
  /** Send start → socket receipt, ms, for messages after the warm-up. */
  latencyMs: Float64Array;
  /** message.new frames that were not from this window or could not be read. */
  strays: number;
  /** Frames that were not message.new since the last collect (receipts, presence…). */
  otherFrames: number;
}

export type WorkerReply =
  | { ok: true; id: number; value: unknown }
  | { ok: false; id: number; error: string };

/** What a latency sample is timed with: comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
