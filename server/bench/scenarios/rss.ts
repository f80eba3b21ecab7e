// Scenario 6: memory per idle authenticated connection, as the marginal cost: the server's VmRSS
// after a first fifth of the sockets (which pays the one-time growth: compiled code, the young
// generation growing to its working size, caches) and after all N, divided by the sockets added
// in between. No dialogs, no traffic. The same for every server.
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
      { key: 'kb_per_conn', label: 'RSS per connection (marginal, after the first fifth)', unit: 'KB', ratio: true },
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
      const connect = (group: number[]) =>
        ctx.pool.all<ConnectResult>((w) => ({
          cmd: 'connect',
          target: kind,
          baseUrl: target.baseUrl,
          devId: ctx.widget.devId,
          clients: group.filter((_, i) => i % W === w.index).map((u) => ({ userId: u, token: tokens.get(u)! })),
          concurrency: knobs.connectConcurrency,
        }));
      const warm = users.slice(0, Math.floor(n / 5));
      const first = await connect(warm);
      // Idle long enough for per-socket allocations to land and the young generation to be collected.
      await sleep(knobs.rssSettleMs);
      const base = rssKb(target.pid);
      const rest = await connect(users.slice(warm.length));
      await sleep(knobs.rssSettleMs);
      const after = rssKb(target.pid);
      const results = [...first, ...rest];
      const ready = results.reduce((s, r) => s + r.ready, 0);
      const added = rest.reduce((s, r) => s + r.ready, 0);
      const perConn = base !== null && after !== null && added > 0 ? Math.round(((after - base) / added) * 10) / 10 : null;
      console.log(`  ${LABEL[kind].padEnd(9)} ${ready}/${n} ready, RSS ${before} → ${base} (first ${warm.length}) → ${after} KB, ${perConn} KB per added connection`);
      if (ready < n) result.errors[kind] = `${n - ready} sockets failed: ${results.find((r) => r.firstError)?.firstError}`;
      result.values[kind] = {
        kb_per_conn: perConn,
        before_mb: before === null ? null : Math.round(before / 102.4) / 10,
        after_mb: after === null ? null : Math.round(after / 102.4) / 10,
      };
      (result.detail as Record<string, unknown>)[kind] = { ready, beforeKb: before, afterFirstFifthKb: base, afterKb: after, added, pid: target.pid };
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
