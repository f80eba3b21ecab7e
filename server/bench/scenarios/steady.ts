// Scenarios 1–4: a steady message rate through 1:1 pairs or groups, against each server in turn,
// reporting delivery latency, loss and HTTP ack times for one measured window.
import { knobs } from '../lib/knobs.ts';
import type { TargetKind } from '../lib/protocol.ts';
import type { Metric, ScenarioResult } from '../lib/report.ts';
import { LABEL } from '../lib/targets.ts';
import { type Ctx, type WindowResult, conversationsOf, describeWindow, openSession, runWindow } from './flow.ts';

export const FLOW_METRICS: Metric[] = [
  { key: 'p50', label: 'delivery p50', unit: 'ms', ratio: true },
  { key: 'p99', label: 'delivery p99', unit: 'ms', ratio: true },
  { key: 'max', label: 'delivery max', unit: 'ms' },
  { key: 'lost', label: 'lost deliveries', unit: 'count' },
  { key: 'failed', label: 'failed sends', unit: 'count' },
  { key: 'ack_p50', label: 'HTTP ack p50', unit: 'ms' },
  { key: 'ack_p99', label: 'HTTP ack p99', unit: 'ms', ratio: true },
  { key: 'cpu_us', label: 'server CPU per message', unit: 'µs', ratio: true },
  { key: 'other_frames', label: 'other frames per message (receipts…)', unit: 'count' },
  { key: 'other_cpu', label: 'CPU used by other processes (noise)', unit: '%' },
];

export function flowValues(w: WindowResult): Record<string, number | null> {
  return {
    p50: w.latencyMs.p50,
    p99: w.latencyMs.p99,
    max: w.latencyMs.max,
    lost: w.deliveriesLost,
    failed: w.failed,
    ack_p50: w.ackMs.p50,
    ack_p99: w.ackMs.p99,
    cpu_us: w.serverCpuUsPerMsg,
    other_frames: w.otherFramesPerMsg,
    other_cpu: w.otherCpuPct,
  };
}

interface Steady {
  name: string;
  title: string;
  connections: number;
  groupSize: number;
  rate: number;
}

export function steadyScenarios(): Steady[] {
  const big = knobs.bigConnections;
  return [
    { name: '1to1-1k', title: '1:1, 1k connections, 1k msg/s', connections: 1_000, groupSize: 2, rate: 1_000 },
    { name: '1to1-5k', title: `1:1, ${big / 1000}k connections, ${big / 1000}k msg/s`, connections: big, groupSize: 2, rate: big },
    { name: 'group10', title: 'groups of 10, 1k connections, 500 msg/s (5k deliveries/s)', connections: 1_000, groupSize: 10, rate: 500 },
    { name: 'group100', title: 'groups of 100, 1k connections, 50 msg/s (5k deliveries/s)', connections: 1_000, groupSize: 100, rate: 50 },
  ];
}

export async function runSteady(ctx: Ctx, sc: Steady): Promise<ScenarioResult> {
  const result: ScenarioResult = { name: sc.name, title: sc.title, metrics: FLOW_METRICS, values: {}, detail: {}, errors: {} };
  const conversations = conversationsOf(sc.connections, sc.groupSize);
  for (const kind of knobs.targets as TargetKind[]) {
    try {
      const session = await openSession(ctx, kind, conversations, sc.name);
      try {
        const w = await runWindow(ctx, session, `${sc.name}-${kind}-${Date.now()}`, sc.rate, knobs.windowMs);
        console.log(`  ${LABEL[kind].padEnd(9)} ${describeWindow(w)}`);
        result.values[kind] = flowValues(w);
        (result.detail as Record<string, unknown>)[kind] = w;
      } finally {
        await session.close();
      }
    } catch (err) {
      console.log(`  ${LABEL[kind].padEnd(9)} FAILED: ${(err as Error).message.split('\n')[0]}`);
      result.errors[kind] = (err as Error).message;
    }
  }
  return result;
}
