// Run sizes and environment knobs: BENCH_QUICK shrinks everything to a run of a few minutes; the others
// pick scenarios, servers, worker count and window lengths (see README.md).
import type { TargetKind } from './protocol.ts';

const env = process.env;
const quick = env.BENCH_QUICK === '1';
const num = (name: string, full: number, short: number) => (env[name] ? Number(env[name]) : quick ? short : full);
const list = (name: string) => (env[name] ? env[name]!.split(',').map((s) => s.trim()).filter(Boolean) : null);

export const SCENARIOS = ['1to1-1k', '1to1-5k', 'group10', 'group100', 'saturation', 'rss', 'store-commit', 'queries', 'browser', 'cluster'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const only = list('BENCH_ONLY');
const unknown = only?.filter((s) => !(SCENARIOS as readonly string[]).includes(s)) ?? [];
if (unknown.length) throw new Error(`BENCH_ONLY: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`);

const targets = (list('BENCH_TARGETS') ?? ['imbachat', 'ws', 'socketio']) as TargetKind[];

export const knobs = {
  quick,
  scenarios: (only ?? [...SCENARIOS]) as ScenarioName[],
  targets,
  workers: num('BENCH_WORKERS', 2, 2),
  /** Measured part of a steady window; a warm-up before it counts for loss only. */
  windowMs: num('BENCH_WINDOW_MS', 10_000, 3_000),
  warmupMs: num('BENCH_WARMUP_MS', 1_000, 500),
  saturationWindowMs: num('BENCH_SAT_WINDOW_MS', 10_000, 3_000),
  drainMs: num('BENCH_DRAIN_MS', 5_000, 3_000),
  requestTimeoutMs: num('BENCH_REQUEST_TIMEOUT_MS', 10_000, 5_000),
  /** Keep-alive HTTP sockets per worker: enough that the open loop never waits for a socket at these rates. */
  maxSockets: num('BENCH_MAX_SOCKETS', 256, 256),
  connectConcurrency: 100,
  bigConnections: num('BENCH_BIG_CONNS', 5_000, 2_000),
  saturationRates: (list('BENCH_SAT_RATES') ?? (quick ? ['1000', '3000', '7000'] : ['500', '1000', '2000', '3000', '5000', '7000', '10000', '15000'])).map(Number),
  saturationP99Ms: 100,
  saturationRetries: num('BENCH_SAT_RETRIES', 1, 0),
  rssConnections: num('BENCH_RSS_CONNS', 5_000, 2_000),
  rssSettleMs: num('BENCH_RSS_SETTLE_MS', 3_000, 2_000),
  storeBatch: num('BENCH_STORE_BATCH', 256, 256),
  storeWindowMs: num('BENCH_STORE_WINDOW_MS', 10_000, 3_000),
  seedMessages: num('BENCH_SEED_MESSAGES', 1_000_000, 100_000),
  seedDialogs: 20_000,
  heavyDialogs: 2_000,
  queryRequests: num('BENCH_QUERY_REQUESTS', 400, 150),
  /** Page loads in one browser context (after one warm-up load), and in a fresh context each. */
  browserWarmRuns: num('BENCH_BROWSER_WARM_RUNS', 20, 5),
  browserColdRuns: num('BENCH_BROWSER_COLD_RUNS', 10, 3),
  /** The cluster scenario: 1:1 messages per second, and how many nodes share one database and Redis (2 or 3). */
  clusterRate: num('BENCH_CLUSTER_RATE', 500, 500),
  clusterNodes: num('BENCH_CLUSTER_NODES', 2, 2),
};
export type Knobs = typeof knobs;

/** Highest user id any scenario uses (the host site answers for all of them). */
export function maxUserId(k: Knobs): number {
  return Math.max(k.bigConnections, k.rssConnections, 1_000, 2 + k.heavyDialogs + 4_000);
}
