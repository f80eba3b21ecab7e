// kill -9 under load: the real server process is SIGKILLed while many clients send over REST, then
// restarted on the same data dir, again and again. Promise: every acknowledged message is stored
// exactly once, with the id and seq it was acknowledged with, in each sender's order; a retry with
// the same client_msg_id (acknowledged or not) never makes a second copy; nothing is lost.
//
// 3 kill cycles by default; more with  IMBACHAT_KILL_CYCLES=20 pnpm exec vitest run src/durability.test.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sign } from './testing/harness.ts';
import { type HostSite, startHostSite } from './testing/host-site.ts';
import { type ServerProcess, killHard, startServerProcess } from './testing/server-process.ts';

const CYCLES = Number(process.env.IMBACHAT_KILL_CYCLES ?? 3);
/** Acknowledgements each cycle waits for before the kill: the clients are still sending when it comes. */
const ACKS_PER_CYCLE = 60;
const USERS = ['1', '2', '3', '4', '5', '6', '7', '8'];
const DEV_ID = 'durable';
const SECRET = randomBytes(32).toString('hex');

interface Send {
  clientMsgId: string;
  text: string;
}
interface Ack {
  id: number;
  seq: number;
}
/** One sender in one dialog, sending one message at a time: its acknowledged seqs must only grow. */
interface Loop {
  name: string;
  sender: string;
  dialogId: number;
  sent: Send[];
  /** The send whose answer never came (the server died first); retried after the restart. */
  unacked: Send | null;
}

let host: HostSite;
let dataDir: string;
let configPath: string;
const tokens = new Map<string, string>();
const acks = new Map<string, Ack>();
const problems: string[] = [];
let server: ServerProcess | undefined;

beforeAll(async () => {
  host = await startHostSite(USERS.map((id) => ({ user_id: id, name: `Sender ${id}` })));
  dataDir = mkdtempSync(join(tmpdir(), 'imbachat-kill9-'));
  configPath = join(dataDir, 'widgets.json');
  const widget = { dev_id: DEV_ID, name: 'Durability', secret_key: SECRET, api_login: host.login, api_password: host.password, users_info_url: host.url };
  writeFileSync(configPath, JSON.stringify({ widgets: [widget] }));
  const exp = Math.floor(Date.now() / 1000) + 3600;
  for (const id of USERS) tokens.set(id, await sign(SECRET, { user_id: id, exp }));
});
afterAll(async () => {
  if (server) await killHard(server);
  await host?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function start(): Promise<ServerProcess> {
  return startServerProcess({ IMBACHAT_DATA_DIR: dataDir, IMBACHAT_CONFIG: configPath, IMBACHAT_HOST_ALLOWLIST: '127.0.0.0/8,::1/128', LOG_LEVEL: 'info' });
}

async function call(url: string, user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/v1/${DEV_ID}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens.get(user)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

/** Sends (or resends) one message; records the acknowledgement, or returns false when no answer came. */
async function send(url: string, loop: Loop, s: Send): Promise<boolean> {
  let res;
  try {
    res = await call(url, loop.sender, 'POST', `/dialogs/${loop.dialogId}/messages`, { text: s.text, client_msg_id: s.clientMsgId });
  } catch {
    return false; // the server died with the request in flight
  }
  if (res.status === 429) return false;
  if (res.status !== 201 && res.status !== 200) {
    problems.push(`${loop.name} ${s.clientMsgId}: answered ${res.status} ${JSON.stringify(res.body)}`);
    return false;
  }
  const earlier = acks.get(s.clientMsgId);
  if (earlier && (earlier.id !== res.body.id || earlier.seq !== res.body.seq || res.status !== 200)) {
    problems.push(`${s.clientMsgId} was acknowledged as ${JSON.stringify(earlier)}, then answered ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (!earlier) acks.set(s.clientMsgId, { id: res.body.id, seq: res.body.seq });
  return true;
}

/** After a restart: what had no answer is sent again, and each loop's last acknowledged message too (a client unsure of it). */
async function retry(url: string, loops: Loop[]): Promise<void> {
  await Promise.all(
    loops.map(async (loop) => {
      const last = loop.sent.filter((s) => acks.has(s.clientMsgId)).at(-1);
      if (last && !(await send(url, loop, last))) problems.push(`${last.clientMsgId}: resending an acknowledged message got no answer`);
      if (loop.unacked && !(await send(url, loop, loop.unacked))) problems.push(`${loop.unacked.clientMsgId}: the retry got no answer`);
      loop.unacked = null;
    }),
  );
}

/** All loops send until the cycle's acknowledgements are in; the process is SIGKILLed at that moment. */
async function loadUntilKilled(p: ServerProcess, loops: Loop[]): Promise<number> {
  let cycleAcks = 0;
  let killed: Promise<void> | null = null;
  let inFlightAtKill = 0;
  let inFlight = 0;
  await Promise.all(
    loops.map(async (loop) => {
      while (!killed) {
        const s = { clientMsgId: `${loop.name}-${loop.sent.length}`, text: `message ${loop.sent.length} of ${loop.name}` };
        loop.sent.push(s);
        inFlight++;
        const acked = await send(p.url, loop, s);
        inFlight--;
        if (!acked) {
          loop.unacked = s;
          return;
        }
        if (++cycleAcks >= ACKS_PER_CYCLE && !killed) {
          inFlightAtKill = inFlight;
          killed = killHard(p);
        }
      }
    }),
  );
  await killed;
  return inFlightAtKill;
}

async function readDialog(url: string, user: string, dialogId: number): Promise<Array<{ id: number; seq: number; kind: string; text: string; sender_id: string; client_msg_id: string | null }>> {
  const out = [];
  let after = 0;
  for (;;) {
    const page = await call(url, user, 'GET', `/dialogs/${dialogId}/messages?after=${after}&limit=100`);
    expect(page.status).toBe(200);
    out.push(...page.body.items);
    if (page.body.next_cursor === null) return out;
    after = Number(page.body.next_cursor);
  }
}

it(
  `${CYCLES} kill -9 cycles under load: every acknowledged message is stored exactly once, in order, retries make no copies, nothing is lost`,
  async () => {
    server = await start();
    const direct = new Map<string, number>();
    for (let i = 0; i < USERS.length; i += 2) {
      const [a, b] = [USERS[i]!, USERS[i + 1]!];
      const opened = await call(server.url, a, 'POST', '/dialogs', { user_id: b });
      expect(opened.status).toBe(201);
      direct.set(a, opened.body.id).set(b, opened.body.id);
    }
    const group = await call(server.url, USERS[0]!, 'POST', '/dialogs', { type: 'group', title: 'Everyone', user_ids: USERS.slice(1) });
    expect(group.status).toBe(201);
    const loops: Loop[] = USERS.flatMap((u) => [
      { name: `u${u}-direct`, sender: u, dialogId: direct.get(u)!, sent: [], unacked: null },
      { name: `u${u}-group`, sender: u, dialogId: group.body.id, sent: [], unacked: null },
    ]);

    let unackedAtKills = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      if (cycle > 0) {
        server = await start();
        await retry(server.url, loops);
      }
      unackedAtKills += await loadUntilKilled(server, loops);
    }
    server = await start();
    await retry(server.url, loops);
    expect(problems).toEqual([]);
    // The kills came with requests in flight, so the retries after the restarts were exercised.
    expect(unackedAtKills).toBeGreaterThan(0);
    expect(acks.size).toBeGreaterThanOrEqual(CYCLES * ACKS_PER_CYCLE);

    const dialogIds = [...new Set(loops.map((l) => l.dialogId))];
    const stored = new Map<string, { id: number; seq: number; text: string; sender: string; dialogId: number }>();
    for (const dialogId of dialogIds) {
      const member = loops.find((l) => l.dialogId === dialogId)!.sender;
      const messages = await readDialog(server.url, member, dialogId);
      // Positions 1…N, each once: no gap from a lost commit, no copy from a retry.
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
      // A group's first message is the system message of its creation; every other one a client sent.
      expect(messages.filter((m) => m.kind !== 'text').map((m) => m.seq)).toEqual(messages[0]?.kind === 'system' ? [1] : []);
      for (const m of messages.filter((x) => x.kind === 'text')) {
        expect(m.client_msg_id, `message ${m.id} has no client_msg_id`).not.toBeNull();
        expect(stored.has(m.client_msg_id!), `${m.client_msg_id} is stored twice`).toBe(false);
        stored.set(m.client_msg_id!, { id: m.id, seq: m.seq, text: m.text, sender: m.sender_id, dialogId });
      }
    }
    for (const loop of loops) {
      const seqs: number[] = [];
      for (const s of loop.sent) {
        const ack = acks.get(s.clientMsgId);
        expect(ack, `${s.clientMsgId} was never acknowledged, even after its retry`).toBeDefined();
        expect(stored.get(s.clientMsgId), `${s.clientMsgId} is not stored as it was acknowledged`).toEqual({ ...ack, text: s.text, sender: loop.sender, dialogId: loop.dialogId });
        seqs.push(ack!.seq);
      }
      // One message at a time per loop: each later send got a later position.
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    // Nothing stored that no client sent.
    expect(stored.size).toBe(loops.reduce((n, l) => n + l.sent.length, 0));

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  },
  60_000 + CYCLES * 20_000,
);
