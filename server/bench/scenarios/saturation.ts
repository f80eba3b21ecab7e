// Scenario 5: the saturation search. 1:1 at 1k connections, the rate stepped up on one running
// server until p99 passes the limit or anything is lost or refused; the last step that held wins.
import { knobs } from '../lib/knobs.ts';
import type { TargetKind } from '../lib/protocol.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { LABEL } from '../lib/targets.ts';
import { type Ctx, type WindowResult, conversationsOf, describeWindow, openSession, runWindow } from './flow.ts';

export function passed(w: WindowResult): boolean {
  return w.latencyMs.p99 !== null && w.latencyMs.p99 <= knobs.saturationP99Ms && w.deliveriesLost === 0 && w.failed === 0;
}

export async function runSaturation(ctx: Ctx): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    name: 'saturation',
    title: `saturation, 1:1 at 1k connections (highest rate with p99 ≤ ${knobs.saturationP99Ms} ms, nothing lost)`,
    metrics: [
      { key: 'rate', label: 'highest rate passed', unit: 'msg/s', ratio: true, higherIsBetter: true },
      { key: 'p99_at_rate', label: 'delivery p99 at that rate', unit: 'ms' },
    ],
    values: {},
    detail: {},
    errors: {},
  };
  const conversations = conversationsOf(1_000, 2);
  for (const kind of knobs.targets as TargetKind[]) {
    const steps: WindowResult[] = [];
    let best: WindowResult | null = null;
    try {
      const session = await openSession(ctx, kind, conversations, 'saturation');
      try {
        for (const rate of knobs.saturationRates) {
          // A failed step is tried again once: on a shared machine one stall elsewhere can fail a window.
          let w: WindowResult | null = null;
          for (let attempt = 0; attempt <= knobs.saturationRetries && !(w && passed(w)); attempt++) {
            if (attempt) await new Promise((r) => setTimeout(r, 2_000));
            w = await runWindow(ctx, session, `sat-${kind}-${rate}-${attempt}-${Date.now()}`, rate, knobs.saturationWindowMs);
            steps.push(w);
            console.log(`  ${LABEL[kind].padEnd(9)} ${passed(w) ? 'pass' : 'FAIL'} ${describeWindow(w)}`);
          }
          if (!w || !passed(w)) break;
          best = w;
          // A moment for queues and the GC to settle, so one step's backlog does not fail the next.
          await new Promise((r) => setTimeout(r, 1_000));
        }
      } finally {
        await session.close();
      }
    } catch (err) {
      console.log(`  ${LABEL[kind].padEnd(9)} FAILED: ${(err as Error).message.split('\n')[0]}`);
      result.errors[kind] = (err as Error).message;
    }
    result.values[kind] = { rate: best?.rate ?? 0, p99_at_rate: best?.latencyMs.p99 ?? null };
    (result.detail as Record<string, unknown>)[kind] = {
      passedEveryStep: best?.rate === knobs.saturationRates.at(-1),
      steps,
    };
  }
  return result;
}
