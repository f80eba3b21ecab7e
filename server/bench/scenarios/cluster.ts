// Scenario 10, ImbaChat only: the 1:1 flow of 1to1-1k (500 pairs, 1k sockets) at BENCH_CLUSTER_RATE,
// measured three ways one after the other, each on fresh state: one node on the embedded default
// (SQLite, in-process bus), one node on PostgreSQL + Redis, and BENCH_CLUSTER_NODES nodes sharing one
// database and one Redis prefix, load worker w on node w % N so that the two users of a pair (on
// different workers) sit on different nodes and every message crosses nodes through Redis.
import { cpus } from 'node:os';
import { type Engines, createEngines, enginesProblem } from '../lib/engines.ts';
import { knobs } from '../lib/knobs.ts';
import { type Pool, startPool } from '../lib/pool.ts';
import type { Column, Metric, ScenarioResult } from '../lib/report.ts';
import { tail } from '../lib/targets.ts';
import { type Ctx, type WindowResult, conversationsOf, describeWindow, openSession, runWindow } from './flow.ts';
import { flowValues } from './steady.ts';

const CONNECTIONS = 1_000;

const METRICS: Metric[] = [
  { key: 'p50', label: 'delivery p50', unit: 'ms', ratio: true },
  { key: 'p99', label: 'delivery p99', unit: 'ms', ratio: true },
  { key: 'max', label: 'delivery max', unit: 'ms' },
  { key: 'lost', label: 'lost deliveries', unit: 'count', mustBeZero: true },
  { key: 'failed', label: 'failed sends', unit: 'count', mustBeZero: true },
  { key: 'ack_p50', label: 'HTTP ack p50', unit: 'ms' },
  { key: 'ack_p99', label: 'HTTP ack p99', unit: 'ms', ratio: true },
  { key: 'cpu_us', label: 'server CPU per message (all nodes)', unit: 'µs', ratio: true },
  { key: 'engines_cpu_us', label: 'PostgreSQL + Redis CPU per message', unit: 'µs', ratio: true },
  { key: 'total_cpu_us', label: 'server + PostgreSQL + Redis CPU per message', unit: 'µs', ratio: true },
  { key: 'cross_node', label: 'deliveries that crossed nodes', unit: '%' },
  { key: 'other_frames', label: 'other frames per message (receipts…)', unit: 'count' },
  { key: 'other_cpu', label: 'CPU used by other processes (noise)', unit: '%' },
];

interface Config {
  key: 'single' | 'single-pg' | 'cluster';
  label: string;
  nodes: number;
  onEngines: boolean;
}

export function clusterTitle(): string {
  return `cluster: 1:1, 1k connections, ${knobs.clusterRate} msg/s: one node (SQLite), one node (PostgreSQL + Redis), ${knobs.clusterNodes} nodes sharing them (ImbaChat only)`;
}

function notes(workers: number): string[] {
  const n = cpus().length;
  const cores = n === 2 ? 'two' : String(n);
  return [
    `on ${n} cores this measures the overhead and the correctness of running several nodes, not scale: ` +
      `the nodes, PostgreSQL, Redis and the load workers share the same ${cores} cores`,
    `load worker w connects its sockets and sends its POSTs to node w % ${knobs.clusterNodes} (${workers} workers); ` +
      `"deliveries that crossed nodes" is measured on the sockets: a delivery crossed when the socket's node is not the node the POST went to`,
    'server CPU is summed over all node processes; PostgreSQL + Redis CPU is their own processes from /proc ' +
      '(the postmaster, its shared background processes and this database\'s backends; the whole redis-server, which other users of it also load), ' +
      'counted apart and not in "others"',
  ];
}

function values(w: WindowResult): Record<string, number | null> {
  const total = w.serverCpuUsPerMsg !== null && w.enginesCpuUsPerMsg !== null ? w.serverCpuUsPerMsg + w.enginesCpuUsPerMsg : null;
  return {
    ...flowValues(w),
    engines_cpu_us: w.enginesCpuUsPerMsg,
    // On the embedded engines the server's CPU is all there is.
    total_cpu_us: w.enginesCpu ? total : w.serverCpuUsPerMsg,
    cross_node: w.crossNodePct,
  };
}

export async function runCluster(ctx: Ctx): Promise<ScenarioResult> {
  const N = knobs.clusterNodes;
  const configs: Config[] = [
    { key: 'single', label: 'single (SQLite)', nodes: 1, onEngines: false },
    { key: 'single-pg', label: 'single-pg (PostgreSQL + Redis)', nodes: 1, onEngines: true },
    { key: 'cluster', label: `cluster (${N} nodes)`, nodes: N, onEngines: true },
  ];
  // With fewer workers than nodes a node would get no clients: one worker per node at least, for all three configurations alike.
  const W = Math.max(knobs.workers, N);
  const columns: Column[] = configs.map((c) => ({ key: c.key, label: c.label }));
  const result: ScenarioResult = {
    name: 'cluster',
    title: clusterTitle(),
    metrics: METRICS,
    values: {},
    detail: {},
    errors: {},
    columns: { list: columns, ratios: [['cluster', 'single'], ['single-pg', 'single'], ['cluster', 'single-pg']] },
    notes: notes(W),
  };
  const skip = (why: string) => {
    console.log(`  skipped: ${why}`);
    result.skipped = why;
    return result;
  };
  if (!knobs.targets.includes('imbachat')) return skip('ImbaChat is not among BENCH_TARGETS');
  if (!Number.isInteger(N) || N < 2 || N > 8) return skip(`BENCH_CLUSTER_NODES must be a whole number from 2 to 8 (it is ${N})`);
  const problem = await enginesProblem();
  if (problem) return skip(problem);
  for (const note of result.notes!) console.log(`  (${note})`);

  let pool: Pool | null = null;
  if (W > ctx.pool.workers.length) {
    console.log(`  ${W} load workers for this scenario (one per node at least)`);
    pool = startPool(W);
  }
  const run: Ctx = pool ? { ...ctx, pool } : ctx;
  const conversations = conversationsOf(CONNECTIONS, 2);
  const detail: Record<string, unknown> = { workers: W, nodes: N, rate: knobs.clusterRate };
  try {
    for (const c of configs) {
      let engines: Engines | null = null;
      try {
        if (c.onEngines) engines = await createEngines(c.key);
        const session = await openSession(run, 'imbachat', conversations, `cluster-${c.key}`, { nodes: c.nodes, ...(engines && { engines }) });
        try {
          const w = await runWindow(run, session, `cluster-${c.key}-${Date.now()}`, knobs.clusterRate, knobs.windowMs);
          console.log(`  ${c.key.padEnd(9)} ${describeWindow(w)}`);
          result.values[c.key] = values(w);
          const logs: Record<string, string> = {};
          if (w.deliveriesLost || w.failed) {
            // The nodes log at warn: what they said is the first place to look; the files go when they exit cleanly.
            for (const [i, n] of session.nodes.entries()) {
              logs[`node${i}`] = tail(n.logPath, 40);
              console.log(`  !!! ${c.key}: ${w.deliveriesLost} deliveries lost, ${w.failed} sends failed; node ${i} (${n.baseUrl}) logged:\n${logs[`node${i}`] || '(nothing)'}`);
            }
          }
          detail[c.key] = {
            ...w,
            nodeUrls: session.nodes.map((n) => n.baseUrl),
            ...(engines && { database: engines.database, redisPrefix: engines.env.IMBACHAT_REDIS_PREFIX, redisPid: engines.redisPid }),
            ...(Object.keys(logs).length && { nodeLogs: logs }),
          };
        } finally {
          await session.close();
        }
      } catch (err) {
        console.log(`  ${c.key.padEnd(9)} FAILED: ${(err as Error).message.split('\n')[0]}`);
        result.errors[c.key] = (err as Error).message;
      } finally {
        if (engines) {
          try {
            const { keysDeleted } = await engines.cleanup();
            if (detail[c.key]) (detail[c.key] as Record<string, unknown>).redisKeysDeleted = keysDeleted;
          } catch (err) {
            console.log(`  ${c.key}: dropping ${engines.database} or deleting its Redis keys failed: ${(err as Error).message}`);
          }
        }
      }
    }
  } finally {
    await pool?.stop();
  }
  result.detail = detail;
  return result;
}
