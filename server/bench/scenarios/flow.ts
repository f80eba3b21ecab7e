// The message-flow machinery shared by the steady scenarios and the saturation search: a session
// (server started, conversations opened, every user's socket ready in some worker) and one window
// (open-loop sends at a rate, drain, then latency and loss joined from all workers).
import { knobs } from '../lib/knobs.ts';
import { type BenchWidget, api, openConversations, tokensFor } from '../lib/imbachat.ts';
import type { Pool } from '../lib/pool.ts';
import type { CollectResult, ConnectResult, FlowSpec, RunResult, TargetKind } from '../lib/protocol.ts';
import { wallNow } from '../lib/protocol.ts';
import { type Summary, concat, summarize } from '../lib/stats.ts';
import { type Engines, type EnginesCpu, enginesCpuBetween } from '../lib/engines.ts';
import { LABEL, type StartOptions, type Target, cpuMs, machineTicks, startTarget } from '../lib/targets.ts';
import { loadavg } from 'node:os';

export interface Ctx {
  pool: Pool;
  widget: BenchWidget;
}

export interface Session {
  /** The first (or only) server: where the conversations were opened. */
  target: Target;
  /** Every node of the session; load worker w's sockets and POSTs go to nodes[w % nodes.length]. */
  nodes: Target[];
  /** PostgreSQL and Redis under the nodes, whose CPU is measured apart (the cluster scenario). */
  engines: Engines | null;
  /** Flows per worker, each worker sending for the users whose sockets it holds. */
  flows: FlowSpec[][];
  connected: number;
  close(): Promise<void>;
}

export interface WindowResult {
  rate: number;
  sent: number;
  acked: number;
  failed: number;
  firstError: string | null;
  deliveriesExpected: number;
  deliveriesLost: number;
  messagesLost: number;
  latencyMs: Summary;
  ackMs: Summary;
  /** Acked messages per second over the whole window. */
  ackedPerS: number;
  generatorLagMaxMs: number;
  strays: number;
  /** Frames other than message.new that reached the sockets, per acked message. */
  otherFramesPerMsg: number | null;
  /** CPU the server process used from the first send to the end of the drain (all nodes' together). */
  serverCpuMs: number | null;
  serverCpuUsPerMsg: number | null;
  /** How many server processes shared the load, and each one's CPU over the window. */
  nodes: number;
  serverCpuMsByNode: (number | null)[];
  /** Deliveries counted on the sockets, and how many of them reached a socket on another node than the one the POST went to. */
  deliveriesReceived: number;
  crossNodeDeliveries: number;
  crossNodePct: number | null;
  /** PostgreSQL's and Redis's own processes over the window (null when the servers do not run on them). */
  enginesCpu: EnginesCpu | null;
  enginesCpuUsPerMsg: number | null;
  /** Busy share of all CPUs over the window: server, workers and whatever else the machine ran. */
  machineBusyPct: number | null;
  /** CPU share of all cores used by processes that are not part of the bench: the window's noise. */
  otherCpuPct: number | null;
  /** CPU the load workers used per message: when it rivals the server's, the generator is part of the limit. */
  workersCpuUsPerMsg: number | null;
  loadAvg1m: number;
}

/** n users 1..n cut into conversations of `size` consecutive ids. */
export function conversationsOf(users: number, size: number): number[][] {
  return Array.from({ length: Math.floor(users / size) }, (_, c) => Array.from({ length: size }, (_, i) => c * size + i + 1));
}

export interface SessionOptions {
  /** Server processes to start (default 1): ImbaChat nodes on one database and Redis (`engines`). */
  nodes?: number;
  engines?: Engines;
}

/** Starts `count` servers at once (as an orchestrator starts nodes); if one fails, the others are stopped. */
async function startNodes(kind: TargetKind, count: number, o: StartOptions): Promise<Target[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startTarget(kind, o)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return started.map((r) => (r as PromiseFulfilledResult<Target>).value);
}

export async function openSession(ctx: Ctx, kind: TargetKind, conversations: number[][], label: string, o: SessionOptions = {}): Promise<Session> {
  const nodes = await startNodes(kind, o.nodes ?? 1, { widget: ctx.widget, label, ...(o.engines && { engines: o.engines.env }) });
  const target = nodes[0]!;
  const nodeOf = (worker: number) => nodes[worker % nodes.length]!;
  try {
    const users = [...new Set(conversations.flat())].sort((a, b) => a - b);
    const W = ctx.pool.workers.length;
    const owner = new Map(users.map((u, i) => [u, i % W]));
    const tokens = kind === 'imbachat' ? await tokensFor(users) : new Map(users.map((u) => [u, String(u)]));
    const paths =
      kind === 'imbachat'
        ? (await openConversations(target.baseUrl, ctx.widget.devId, conversations)).map((id) => `${api(ctx.widget.devId)}/dialogs/${id}/messages`)
        : conversations.map(() => '/send');
    const flows: FlowSpec[][] = Array.from({ length: W }, () => []);
    // Member-major order, so consecutive messages of a worker go to different conversations.
    const size = Math.max(...conversations.map((c) => c.length));
    for (let m = 0; m < size; m++) {
      conversations.forEach((members, c) => {
        const sender = members[m];
        if (sender === undefined) return;
        flows[owner.get(sender)!]!.push({ senderId: sender, token: tokens.get(sender)!, path: paths[c]!, recipients: members.filter((u) => u !== sender) });
      });
    }
    const results = await ctx.pool.all<ConnectResult>((w) => ({
      cmd: 'connect',
      target: kind,
      baseUrl: nodeOf(w.index).baseUrl,
      devId: ctx.widget.devId,
      clients: users.filter((u) => owner.get(u) === w.index).map((u) => ({ userId: u, token: tokens.get(u)! })),
      concurrency: knobs.connectConcurrency,
    }));
    const connected = results.reduce((s, r) => s + r.ready, 0);
    const failed = results.reduce((s, r) => s + r.failed, 0);
    if (failed) throw new Error(`${LABEL[kind]}: ${failed} of ${users.length} sockets failed to authenticate (${results.find((r) => r.firstError)?.firstError})`);
    return {
      target,
      nodes,
      engines: o.engines ?? null,
      flows,
      connected,
      async close() {
        await ctx.pool.all(() => ({ cmd: 'disconnect' }));
        await Promise.all(nodes.map((n) => n.stop()));
      },
    };
  } catch (err) {
    await ctx.pool.all(() => ({ cmd: 'disconnect' })).catch(() => undefined);
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
}

export async function runWindow(ctx: Ctx, s: Session, tag: string, rate: number, windowMs: number): Promise<WindowResult> {
  const totalFlows = s.flows.reduce((n, f) => n + f.length, 0);
  const durationMs = knobs.warmupMs + windowMs;
  const startAt = wallNow() + 500;
  const load = loadavg()[0]!;
  const N = s.nodes.length;
  const nodeCpu = () => s.nodes.map((n) => cpuMs(n.pid));
  const engines0 = s.engines ? await s.engines.sample() : null;
  const cpu0 = nodeCpu();
  const workersCpu = () => ctx.pool.workers.reduce<number | null>((sum, w) => (sum === null || !w.child.pid ? null : sum + (cpuMs(w.child.pid) ?? NaN)), 0);
  const wcpu0 = workersCpu();
  const runner0 = process.cpuUsage();
  const ticks0 = machineTicks();
  const runs = await ctx.pool.all<RunResult>((w) => ({
    cmd: 'run',
    tag,
    target: s.target.kind,
    baseUrl: s.nodes[w.index % N]!.baseUrl,
    flows: s.flows[w.index]!,
    rate: (rate * s.flows[w.index]!.length) / totalFlows,
    startAt,
    durationMs,
    warmupMs: knobs.warmupMs,
    maxSockets: knobs.maxSockets,
    requestTimeoutMs: knobs.requestTimeoutMs,
  }));
  const expectedTotal = runs.reduce((sum, r) => sum + r.expected.reduce((a, b) => a + b, 0), 0);
  const deadline = Math.max(...runs.map((r) => r.doneAt), startAt + durationMs) + knobs.drainMs;
  for (;;) {
    const got = (await ctx.pool.all<number>(() => ({ cmd: 'received', tag }))).reduce((a, b) => a + b, 0);
    if (got >= expectedTotal || wallNow() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu1 = nodeCpu();
  const wcpu1 = workersCpu();
  const runner1 = process.cpuUsage(runner0);
  const ticks1 = machineTicks();
  const engines1 = s.engines ? await s.engines.sample() : null;
  const enginesCpu = engines0 && engines1 ? enginesCpuBetween(engines0, engines1) : null;
  const collected = await ctx.pool.all<CollectResult>(() => ({ cmd: 'collect', tag }));
  let deliveriesLost = 0;
  let messagesLost = 0;
  runs.forEach((r, w) => {
    const counts = collected.map((c) => c.counts[w]);
    for (let n = 0; n < r.expected.length; n++) {
      const want = r.expected[n]!;
      if (!want) continue;
      let got = 0;
      for (const c of counts) got += c?.[n] ?? 0;
      if (got < want) {
        deliveriesLost += want - got;
        messagesLost++;
      }
    }
  });
  // Worker r's sockets are on node r % N, and worker w's POSTs went to node w % N.
  let deliveriesReceived = 0;
  let crossNodeDeliveries = 0;
  collected.forEach((c, r) => {
    for (const [w, counts] of Object.entries(c.counts)) {
      let n = 0;
      for (const v of counts) n += v;
      deliveriesReceived += n;
      if (Number(w) % N !== r % N) crossNodeDeliveries += n;
    }
  });
  const acked = runs.reduce((a, r) => a + r.acked, 0);
  const serverCpuMsByNode = cpu0.map((c0, i) => (c0 !== null && cpu1[i] !== null ? Math.round(cpu1[i]! - c0) : null));
  const serverCpuMs = serverCpuMsByNode.includes(null) ? null : serverCpuMsByNode.reduce<number>((a, b) => a + b!, 0);
  const enginesMs = enginesCpu && enginesCpu.postgresMs !== null && enginesCpu.redisMs !== null ? enginesCpu.postgresMs + enginesCpu.redisMs : null;
  let otherCpuPct: number | null = null;
  if (ticks0 && ticks1 && serverCpuMs !== null && wcpu0 !== null && wcpu1 !== null) {
    // /proc/stat counts 100 ticks per second per CPU, so one tick is 10 ms of one core. PostgreSQL
    // and Redis, when the servers run on them, are part of the work, not noise.
    const ours = serverCpuMs + (wcpu1 - wcpu0) + (runner1.user + runner1.system) / 1000 + (enginesMs ?? 0);
    otherCpuPct = Math.max(0, Math.round((((ticks1.busy - ticks0.busy) * 10 - ours) / ((ticks1.total - ticks0.total) * 10)) * 100));
  }
  return {
    rate,
    sent: runs.reduce((a, r) => a + r.sent, 0),
    acked,
    failed: runs.reduce((a, r) => a + r.failed, 0),
    firstError: runs.find((r) => r.firstError)?.firstError ?? null,
    deliveriesExpected: expectedTotal,
    deliveriesLost,
    messagesLost,
    latencyMs: summarize(concat(collected.map((c) => c.latencyMs))),
    ackMs: summarize(concat(runs.map((r) => r.ackMs))),
    ackedPerS: Math.round(acked / (durationMs / 1000)),
    generatorLagMaxMs: Math.round(Math.max(...runs.map((r) => r.maxLagMs))),
    strays: collected.reduce((a, c) => a + c.strays, 0),
    serverCpuMs,
    serverCpuUsPerMsg: serverCpuMs !== null && acked ? Math.round((serverCpuMs * 1000) / acked) : null,
    nodes: N,
    serverCpuMsByNode,
    deliveriesReceived,
    crossNodeDeliveries,
    crossNodePct: deliveriesReceived ? Math.round((crossNodeDeliveries / deliveriesReceived) * 1000) / 10 : null,
    enginesCpu,
    enginesCpuUsPerMsg: enginesMs !== null && acked ? Math.round((enginesMs * 1000) / acked) : null,
    machineBusyPct: ticks0 && ticks1 ? Math.round(((ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)) * 100) : null,
    otherCpuPct,
    otherFramesPerMsg: acked ? Math.round((collected.reduce((a, c) => a + c.otherFrames, 0) / acked) * 10) / 10 : null,
    workersCpuUsPerMsg: wcpu0 !== null && wcpu1 !== null && acked ? Math.round(((wcpu1 - wcpu0) * 1000) / acked) : null,
    loadAvg1m: Math.round(load * 100) / 100,
  };
}

export function describeWindow(w: WindowResult): string {
  const f = (v: number | null) => (v === null ? '–' : v.toFixed(1));
  return (
    `${w.rate} msg/s: acked ${w.acked}/${w.sent}${w.failed ? ` (${w.failed} failed: ${w.firstError?.slice(0, 120)})` : ''}, ` +
    `latency p50 ${f(w.latencyMs.p50)} p99 ${f(w.latencyMs.p99)} max ${f(w.latencyMs.max)} ms, ` +
    `ack p50 ${f(w.ackMs.p50)} p99 ${f(w.ackMs.p99)} ms, lost ${w.deliveriesLost}/${w.deliveriesExpected} deliveries, other frames ${w.otherFramesPerMsg ?? '–'}/msg, ` +
    `server CPU ${w.serverCpuUsPerMsg ?? '–'} µs/msg${w.nodes > 1 ? ` over ${w.nodes} nodes` : ''} (workers ${w.workersCpuUsPerMsg ?? '–'}), ` +
    (w.enginesCpu
      ? `PostgreSQL + Redis CPU ${w.enginesCpuUsPerMsg ?? '–'} µs/msg (PostgreSQL ${w.enginesCpu.postgresMs ?? '–'} ms, of it shared processes ${w.enginesCpu.postgresSharedMs ?? '–'}; Redis ${w.enginesCpu.redisMs ?? '–'} ms), `
      : '') +
    (w.nodes > 1 ? `crossed nodes ${w.crossNodeDeliveries}/${w.deliveriesReceived} deliveries (${w.crossNodePct ?? '–'}%), ` : '') +
    `machine busy ${w.machineBusyPct ?? '–'}% (others ${w.otherCpuPct ?? '–'}%), gen lag ${w.generatorLagMaxMs} ms`
  );
}
