// `pnpm bench`: measures the send path and the read paths on the real server (temp SQLite file,
// real HTTP and WebSocket clients, a real host site). Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { type Env, createEnv } from '../src/testing/harness.ts';
import type { HostUser } from '../src/testing/host-site.ts';

const USERS = 200;
const SENDS = Number(process.env.BENCH_SENDS ?? 3000);
const CONCURRENCY = 16;

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
function summary(name: string, samples: number[], totalMs?: number) {
  const s = [...samples].sort((a, b) => a - b);
  const rate = totalMs ? `  ${((samples.length / totalMs) * 1000).toFixed(0)}/s` : '';
  console.log(
    `${name.padEnd(42)} n=${String(s.length).padEnd(6)} p50=${pct(s, 50).toFixed(2)}ms  p99=${pct(s, 99).toFixed(2)}ms  max=${s.at(-1)!.toFixed(2)}ms${rate}`,
  );
}

async function main() {
  const users: HostUser[] = Array.from({ length: USERS }, (_, i) => ({ user_id: i + 1, name: `User ${i + 1}` }));
  const env: Env = await createEnv({ users });
  try {
    const w = env.widgets[0]!;
    const alice = env.api(w, await w.token(1));
    const bobSocket = await env.ws(w, await w.token(2));
    const { body: dialog } = await alice.post('/dialogs', { user_id: 2 });

    // 1. Send → HTTP ack, and send → delivery on the partner's socket.
    const sentAt = new Map<string, number>();
    const delivery: number[] = [];
    bobSocket.socket.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.type === 'message.new') {
        const t0 = sentAt.get(f.message.client_msg_id);
        if (t0 !== undefined) delivery.push(performance.now() - t0);
      }
    });
    const ack: number[] = [];
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SENDS) {
          const i = next++;
          const id = `b${i}`;
          const t0 = performance.now();
          sentAt.set(id, t0);
          const res = await alice.post(`/dialogs/${dialog.id}/messages`, { text: `bench message ${i}`, client_msg_id: id });
          if (res.status !== 201) throw new Error(`send failed: ${res.status}`);
          ack.push(performance.now() - t0);
        }
      }),
    );
    const total = performance.now() - start;
    while (delivery.length < SENDS) await new Promise((r) => setTimeout(r, 10));
    console.log(`imbachat bench — SQLite store, in-process bus, ${CONCURRENCY} concurrent senders\n`);
    summary('send: POST → 201 (committed)', ack, total);
    summary('send: POST → message.new on partner socket', delivery);

    // 2. Dialog list for a user with many dialogs.
    const hub = env.api(w, await w.token(3));
    for (let u = 4; u <= USERS; u++) {
      const { body } = await hub.post('/dialogs', { user_id: u });
      await hub.post(`/dialogs/${body.id}/messages`, { text: 'hello' });
    }
    const list: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await hub.get('/dialogs?limit=30');
      list.push(performance.now() - t0);
    }
    summary(`dialog list: ${USERS - 3} dialogs, page of 30`, list);

    // 3. A page of history deep in a long dialog.
    const page: number[] = [];
    for (let i = 0; i < 300; i++) {
      const before = 1 + Math.floor(Math.random() * SENDS);
      const t0 = performance.now();
      await alice.get(`/dialogs/${dialog.id}/messages?limit=50&before=${before}`);
      page.push(performance.now() - t0);
    }
    summary(`history: page of 50 in ${SENDS} messages`, page);
  } finally {
    await env.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
