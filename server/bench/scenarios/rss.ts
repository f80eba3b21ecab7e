// Scenario 6: memory per idle authenticated connection. The server's VmRSS before any socket and
// after N sockets are authenticated and left idle, divided by N. No dialogs, no traffic.
import { knobs } from '../lib/knobs.ts';
import { tokensFor } from '../lib/imbachat.ts';
import type { ConnectResult, TargetKind } from '../lib/protocol.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { LABEL, rssKb, startTarget } from '../lib/targets.ts';
import type { Ctx } from './flow.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runRss(ctx: Ctx): Promise<ScenarioResult> {
  const n = knobs.rssConnections;
  const result: ScenarioResult = {
    name: 'rss',
    title: `RSS per idle authenticated connection, ${n / 1000}k connections`,
    metrics: [
      { key: 'kb_per_conn', label: 'RSS per connection', unit: 'KB', ratio: true },
      { key: 'before_mb', label: 'RSS before', unit: 'MB' },
      { key: 'after_mb', label: `RSS after ${n / 1000}k`, unit: 'MB' },
    ],
    values: {},
    detail: {},
    errors: {},
  };
  const users = Array.from({ length: n }, (_, i) => i + 1);
  const W = ctx.pool.workers.length;
  for (const kind of knobs.targets as TargetKind[]) {
    const target = await startTarget(kind, { widget: ctx.widget, label: 'rss' });
    try {
      const tokens = kind === 'imbachat' ? await tokensFor(users) : new Map(users.map((u) => [u, String(u)]));
      await sleep(knobs.rssSettleMs);
      const before = rssKb(target.pid);
      const results = await ctx.pool.all<ConnectResult>((w) => ({
        cmd: 'connect',
        target: kind,
        baseUrl: target.baseUrl,
        devId: ctx.widget.devId,
        clients: users.filter((_, i) => i % W === w.index).map((u) => ({ userId: u, token: tokens.get(u)! })),
        concurrency: knobs.connectConcurrency,
      }));
      const ready = results.reduce((s, r) => s + r.ready, 0);
      // Idle long enough for per-socket allocations to land and the young generation to be collected.
      await sleep(knobs.rssSettleMs);
      const after = rssKb(target.pid);
      const perConn = before !== null && after !== null && ready > 0 ? Math.round(((after - before) / ready) * 10) / 10 : null;
      console.log(`  ${LABEL[kind].padEnd(9)} ${ready}/${n} ready, RSS ${before} → ${after} KB, ${perConn} KB per connection`);
      if (ready < n) result.errors[kind] = `${n - ready} sockets failed: ${results.find((r) => r.firstError)?.firstError}`;
      result.values[kind] = {
        kb_per_conn: perConn,
        before_mb: before === null ? null : Math.round(before / 102.4) / 10,
        after_mb: after === null ? null : Math.round(after / 102.4) / 10,
      };
      (result.detail as Record<string, unknown>)[kind] = { ready, beforeKb: before, afterKb: after, pid: target.pid };
    } catch (err) {
      console.log(`  ${LABEL[kind].padEnd(9)} FAILED: ${(err as Error).message.split('\n')[0]}`);
      result.errors[kind] = (err as Error).message;
    } finally {
      await ctx.pool.all(() => ({ cmd: 'disconnect' }));
      await target.stop();
    }
  }
  return result;
}
