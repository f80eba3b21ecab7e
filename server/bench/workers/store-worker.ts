// A store-only process for scenarios 7 and 8: opens the SQLite store directly (no HTTP, no bus)
// and either times batched commits or seeds a large data set for the query scenario.
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { NewWidget, SendInput, Store } from '../../src/store/types.ts';
import { summarize } from '../lib/stats.ts';

export interface CommitCmd {
  cmd: 'commit';
  file: string;
  widget: NewWidget;
  batch: number;
  pairs: number;
  windowMs: number;
}

export interface SeedCmd {
  cmd: 'seed';
  file: string;
  widget: NewWidget;
  messages: number;
  dialogs: number;
  heavyDialogs: number;
}

export interface SeedResult {
  heavyUser: number;
  /** The heavy user's long dialogs (a tenth of all messages), with their last seq, for history pages. */
  long: Array<{ dialogId: number; partner: number; lastSeq: number }>;
  dialogs: number;
  messages: number;
  seconds: number;
}

async function openStore(file: string): Promise<Store> {
  return openSqliteStore(file);
}

async function commit(c: CommitCmd) {
  const store = await openStore(c.file);
  const w = await store.insertWidget(c.widget, Date.now());
  const dialogs: Array<{ id: number; a: string; b: string }> = [];
  for (let i = 0; i < c.pairs; i++) {
    const a = String(2 * i + 1);
    const b = String(2 * i + 2);
    dialogs.push({ id: (await store.openDirectDialog(w.id, a, b, Date.now())).dialogId, a, b });
  }
  const batchMs: number[] = [];
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < c.windowMs) {
    const now = Date.now();
    const inputs: SendInput[] = Array.from({ length: c.batch }, () => {
      const k = n++;
      const d = dialogs[k % dialogs.length]!;
      const senderId = Math.floor(k / dialogs.length) % 2 ? d.b : d.a;
      return { widgetId: w.id, dialogId: d.id, senderId, text: `store bench ${n}`, clientMsgId: `s${n}`, now };
    });
    const b0 = performance.now();
    const results = await store.commitSends(inputs);
    batchMs.push(performance.now() - b0);
    const bad = results.find((r) => r.kind !== 'created');
    if (bad) throw new Error(`commitSends answered ${bad.kind}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  return { messages: n, seconds, perS: Math.round(n / seconds), batch: c.batch, batchMs: summarize(batchMs) };
}

async function seed(c: SeedCmd): Promise<SeedResult> {
  const t0 = performance.now();
  const store = await openStore(c.file);
  const w = await store.insertWidget(c.widget, Date.now());
  const heavy = 1;
  // The heavy user's partners are 2..heavyDialogs+1; the other dialogs pair users of a separate
  // pool of 4,000 with small id offsets, which never repeats a pair.
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < c.heavyDialogs; i++) pairs.push([heavy, 2 + i]);
  const pool = 4_000;
  const base = 2 + c.heavyDialogs;
  for (let j = 0; pairs.length < c.dialogs; j++) pairs.push([base + (j % pool), base + ((j % pool) + 1 + Math.floor(j / pool)) % pool]);
  let clock = Date.now() - 30 * 86_400_000;
  const ids: number[] = [];
  for (const [a, b] of pairs) ids.push((await store.openDirectDialog(w.id, String(a), String(b), clock++)).dialogId);
  const longCount = Math.min(10, c.heavyDialogs);
  const longShare = Math.floor(c.messages / 10 / longCount);
  const rest = c.messages - longShare * longCount;
  const spread = Math.floor(rest / pairs.length);
  const extra = rest - spread * pairs.length;
  const plan: number[] = pairs.map((_, i) => spread + (i < extra ? 1 : 0) + (i < longCount ? longShare : 0));
  const lastSeq = new Map<number, number>();
  let batch: SendInput[] = [];
  let total = 0;
  const flush = async () => {
    const results = await store.commitSends(batch);
    for (const r of results) if (r.kind === 'created') lastSeq.set(r.message.dialogId, r.message.seq);
    batch = [];
  };
  // Round-robin over the dialogs still owed messages, so activity order mixes them as real use would.
  let active = pairs.map((_, i) => i).filter((i) => plan[i]! > 0);
  for (let round = 0; active.length; round++) {
    for (const i of active) {
      const [a, b] = pairs[i]!;
      batch.push({ widgetId: w.id, dialogId: ids[i]!, senderId: String(round % 2 ? b : a), text: `seeded message ${round} in dialog ${i}`, clientMsgId: null, now: clock++ });
      total++;
      if (batch.length === 1_000) await flush();
    }
    active = active.filter((i) => plan[i]! > round + 1);
  }
  if (batch.length) await flush();
  await store.close();
  return {
    heavyUser: heavy,
    long: ids.slice(0, longCount).map((dialogId, i) => ({ dialogId, partner: pairs[i]![1], lastSeq: lastSeq.get(dialogId) ?? 0 })),
    dialogs: pairs.length,
    messages: total,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

process.once('message', (raw) => {
  const cmd = raw as CommitCmd | SeedCmd;
  (cmd.cmd === 'commit' ? commit(cmd) : seed(cmd)).then(
    (value) => process.send!({ ok: true, value }, () => process.exit(0)),
    (err: Error) => process.send!({ ok: false, error: err.stack ?? String(err) }, () => process.exit(1)),
  );
});
