// `pnpm bench`: load-tests ImbaChat side by side with a bare ws forwarder and a Socket.IO rooms
// server, from separate worker processes, and times the widget in Chromium against its targets;
// prints ratios and a Markdown table, writes results/.
import { cpus } from 'node:os';
import { knobs, maxUserId } from './lib/knobs.ts';
import { startBenchWidget } from './lib/imbachat.ts';
import { startPool } from './lib/pool.ts';
import { type ScenarioResult, markdownTable, ratioLines, writeResults } from './lib/report.ts';
import { LABEL, profDir, stopAllTargets } from './lib/targets.ts';
import { runBrowser } from './scenarios/browser.ts';
import { clusterTitle, runCluster } from './scenarios/cluster.ts';
import type { Ctx } from './scenarios/flow.ts';
import { runRss } from './scenarios/rss.ts';
import { runSaturation } from './scenarios/saturation.ts';
import { runSteady, steadyScenarios } from './scenarios/steady.ts';
import { runQueries, runStoreCommit } from './scenarios/store.ts';

async function main() {
  const startedAt = new Date();
  console.log(
    `imbachat bench${knobs.quick ? ' (quick)' : ''}: ${knobs.scenarios.join(', ')} against ${knobs.targets.map((t) => LABEL[t]).join(', ')}; ` +
      `${knobs.workers} load workers, ${cpus().length} CPUs, node ${process.version}`,
  );
  if (process.env.BENCH_CPU_PROF === '1') console.log(`CPU profiles of the ImbaChat server go to ${profDir}`);
  const widget = await startBenchWidget(maxUserId(knobs));
  const pool = startPool(knobs.workers);
  const ctx: Ctx = { pool, widget };
  const results: ScenarioResult[] = [];
  const stopAll = async () => {
    await stopAllTargets();
    await pool.stop();
    await widget.host.stop();
  };
  // Ctrl-C still stops the servers and workers we started, so no orphan keeps a port.
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const steady = new Map(steadyScenarios().map((s) => [s.name, s]));
    for (const name of knobs.scenarios) {
      const t0 = Date.now();
      const sc = steady.get(name);
      console.log(`\n## ${sc?.title ?? (name === 'cluster' ? clusterTitle() : name)}`);
      const r =
        sc ? await runSteady(ctx, sc)
        : name === 'saturation' ? await runSaturation(ctx)
        : name === 'rss' ? await runRss(ctx)
        : name === 'store-commit' ? await runStoreCommit(ctx)
        : name === 'browser' ? await runBrowser(ctx)
        : name === 'cluster' ? await runCluster(ctx)
        : await runQueries(ctx);
      results.push(r);
      for (const line of ratioLines(r)) console.log(`  ${line}`);
      console.log(`  (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
  } finally {
    await stopAll();
  }
  const table = markdownTable(results, knobs.targets);
  const path = writeResults(results, knobs, startedAt, table);
  console.log(`\n${table}\n\nResults: ${path} (${Math.round((Date.now() - startedAt.getTime()) / 1000)} s)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
