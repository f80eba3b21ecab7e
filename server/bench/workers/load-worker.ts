// A load-generator process: owns a share of the bench users' sockets and senders, counts every
// message that reaches its sockets, and answers the runner over IPC (see lib/protocol.ts).
import type { CollectResult, WorkerCmd, WorkerReply } from '../lib/protocol.ts';
import { wallNow } from '../lib/protocol.ts';
import { Grow } from '../lib/stats.ts';
import { closeAll, connectAll, takeOtherFrames } from './clients.ts';
import { runSender } from './sender.ts';

const worker = Number(process.env.BENCH_WORKER_INDEX ?? 0);

interface Window {
  counts: Map<number, Uint32Array>;
  latency: Grow;
  received: number;
}
const windows = new Map<string, Window>();
let strays = 0;

function windowOf(tag: string): Window {
  let w = windows.get(tag);
  if (!w) windows.set(tag, (w = { counts: new Map(), latency: new Grow(), received: 0 }));
  return w;
}

// Called for every message.new on every socket: kept to a split and a few array writes.
function onText(text: string) {
  const now = wallNow();
  const parts = text.split('|');
  const w = parts.length === 5 ? windows.get(parts[0]!) : undefined;
  if (!w) return void strays++;
  const from = Number(parts[1]);
  const n = Number(parts[2]);
  let counts = w.counts.get(from);
  if (!counts || n >= counts.length) {
    const grown = new Uint32Array(Math.max(1024, (n + 1) * 2));
    if (counts) grown.set(counts);
    w.counts.set(from, (counts = grown));
  }
  counts[n]!++;
  w.received++;
  if (parts[4] === '0') w.latency.push(now - Number(parts[3]));
}

async function handle(cmd: WorkerCmd): Promise<unknown> {
  switch (cmd.cmd) {
    case 'connect':
      return connectAll(cmd, onText);
    case 'run':
      // Every worker opens the window before anyone sends, so no early delivery is a stray.
      windowOf(cmd.tag);
      return runSender(cmd, worker);
    case 'received':
      return windowOf(cmd.tag).received;
    case 'collect': {
      const w = windowOf(cmd.tag);
      windows.delete(cmd.tag);
      const out: CollectResult = { counts: Object.fromEntries(w.counts), latencyMs: w.latency.take(), strays, otherFrames: takeOtherFrames() };
      strays = 0;
      return out;
    }
    case 'disconnect':
      return closeAll();
  }
}

process.on('message', (raw) => {
  const { id, cmd } = raw as { id: number; cmd: WorkerCmd };
  handle(cmd).then(
    (value) => process.send!({ ok: true, id, value } satisfies WorkerReply),
    (err: Error) => process.send!({ ok: false, id, error: err.stack ?? String(err) } satisfies WorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));
