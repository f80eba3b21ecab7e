// Scenarios 7 and 8, ImbaChat only: commit throughput of the SQLite store alone, and read queries
// over HTTP against a server started on a store seeded with a large data set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { knobs } from '../lib/knobs.ts';
import { api, call, newWidgetRow, tokenFor } from '../lib/imbachat.ts';
import { forkTs } from '../lib/pool.ts';
import type { ScenarioResult } from '../lib/report.ts';
import { summarize } from '../lib/stats.ts';
import { startTarget } from '../lib/targets.ts';
import type { CommitCmd, SeedCmd, SeedResult } from '../workers/store-worker.ts';
import type { Ctx } from './flow.ts';

function inStoreWorker<T>(cmd: CommitCmd | SeedCmd): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = forkTs('workers/store-worker.ts');
    let answered = false;
    child.once('message', (raw) => {
      answered = true;
      const m = raw as { ok: boolean; value?: T; error?: string };
      if (m.ok) resolve(m.value as T);
      else reject(new Error(m.error));
    });
    child.once('exit', (code) => answered || reject(new Error(`store worker exited (${code}) without answering`)));
    child.send(cmd);
  });
}

export async function runStoreCommit(ctx: Ctx): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'imbachat-bench-store-'));
  const result: ScenarioResult = {
    name: 'store-commit',
    title: `store alone: commitSends in batches of ${knobs.storeBatch}, 1:1 dialogs (ImbaChat only)`,
    metrics: [
      { key: 'msg_per_s', label: 'messages committed', unit: 'msg/s' },
      { key: 'batch_p99', label: 'one batch p99', unit: 'ms' },
    ],
    values: {},
    detail: {},
    errors: {},
  };
  try {
    const r = await inStoreWorker<{ perS: number; messages: number; batchMs: { p50: number; p99: number } }>({
      cmd: 'commit',
      file: join(dir, 'imbachat.sqlite'),
      widget: newWidgetRow(ctx.widget),
      batch: knobs.storeBatch,
      pairs: 500,
      windowMs: knobs.storeWindowMs,
    });
    console.log(`  ImbaChat  ${r.messages} messages, ${r.perS} msg/s, batch p50 ${r.batchMs.p50} p99 ${r.batchMs.p99} ms`);
    result.values.imbachat = { msg_per_s: r.perS, batch_p99: r.batchMs.p99 };
    result.detail = r;
  } catch (err) {
    failed(result, err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

async function timed(n: number, request: (i: number) => Promise<number>) {
  for (let i = 0; i < 5; i++) await request(-1 - i); // warm caches and the keep-alive socket
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const status = await request(i);
    ms.push(performance.now() - t0);
    if (status !== 200) throw new Error(`HTTP ${status}`);
  }
  return summarize(ms);
}

export async function runQueries(ctx: Ctx): Promise<ScenarioResult> {
  const k = knobs;
  const result: ScenarioResult = {
    name: 'queries',
    title: `queries on ${k.seedMessages >= 1e6 ? `${k.seedMessages / 1e6}M` : `${k.seedMessages / 1000}k`} messages in ${k.seedDialogs / 1000}k dialogs, heavy user in ${k.heavyDialogs} (ImbaChat only, one at a time)`,
    metrics: [
      { key: 'list_first_p50', label: 'dialog list, first page p50', unit: 'ms' },
      { key: 'list_first_p99', label: 'dialog list, first page p99', unit: 'ms' },
      { key: 'list_later_p50', label: 'dialog list, later pages p50', unit: 'ms' },
      { key: 'list_later_p99', label: 'dialog list, later pages p99', unit: 'ms' },
      { key: 'history_p50', label: 'history page (50, random depth) p50', unit: 'ms' },
      { key: 'history_p99', label: 'history page (50, random depth) p99', unit: 'ms' },
    ],
    values: {},
    detail: {},
    errors: {},
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-bench-seed-'));
  try {
    const seeded = await inStoreWorker<SeedResult>({
      cmd: 'seed',
      file: join(dataDir, 'imbachat.sqlite'),
      widget: newWidgetRow(ctx.widget),
      messages: k.seedMessages,
      dialogs: k.seedDialogs,
      heavyDialogs: k.heavyDialogs,
    });
    console.log(`  seeded ${seeded.messages} messages in ${seeded.dialogs} dialogs in ${seeded.seconds} s`);
    const target = await startTarget('imbachat', { widget: ctx.widget, dataDir, label: 'queries' });
    try {
      const token = await tokenFor(seeded.heavyUser);
      const base = `${api(ctx.widget.devId)}`;
      // A wrong-looking answer fails the scenario: a fast empty page would be a meaningless figure.
      const first = await timed(k.queryRequests, async () => {
        const r = await call<{ items: unknown[] }>(target.baseUrl, 'GET', `${base}/dialogs?limit=30`, token);
        if (r.status === 200 && r.body.items.length !== 30) throw new Error(`first page has ${r.body.items.length} dialogs`);
        return r.status;
      });
      let cursor: string | null = null;
      let deepest = 0;
      let depth = 0;
      const later = await timed(k.queryRequests, async () => {
        if (!cursor) {
          const r = await call<{ next_cursor: string | null }>(target.baseUrl, 'GET', `${base}/dialogs?limit=30`, token);
          cursor = r.body.next_cursor;
          depth = 1;
        }
        const r = await call<{ next_cursor: string | null }>(target.baseUrl, 'GET', `${base}/dialogs?limit=30&cursor=${encodeURIComponent(cursor!)}`, token);
        cursor = r.body.next_cursor;
        deepest = Math.max(deepest, ++depth);
        return r.status;
      });
      const history = await timed(k.queryRequests, async () => {
        const d = seeded.long[Math.floor(Math.random() * seeded.long.length)]!;
        const before = 2 + Math.floor(Math.random() * d.lastSeq);
        const r = await call<{ items: unknown[] }>(target.baseUrl, 'GET', `${base}/dialogs/${d.dialogId}/messages?limit=50&before=${before}`, token);
        if (r.status === 200 && r.body.items.length !== Math.min(50, before - 1)) throw new Error(`history before ${before} has ${r.body.items.length} messages`);
        return r.status;
      });
      console.log(`  ImbaChat  dialogs first page p50 ${first.p50} p99 ${first.p99} ms; later pages (to page ${deepest}) p50 ${later.p50} p99 ${later.p99} ms; history p50 ${history.p50} p99 ${history.p99} ms`);
      result.values.imbachat = {
        list_first_p50: first.p50,
        list_first_p99: first.p99,
        list_later_p50: later.p50,
        list_later_p99: later.p99,
        history_p50: history.p50,
        history_p99: history.p99,
      };
      result.detail = { seeded, first, later, deepestPage: deepest, history };
    } finally {
      await target.stop();
    }
  } catch (err) {
    failed(result, err);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

/** A scenario that could not run says why, on the console and in the results. */
function failed(result: ScenarioResult, err: unknown): void {
  console.log(`  ImbaChat  FAILED: ${(err as Error).message.split('\n')[0]}`);
  result.errors.imbachat = (err as Error).message;
}
