// The load worker's open-loop sender: POSTs messages on a fixed schedule whatever the server's
// answers, over keep-alive sockets, and records which were acknowledged and how fast.
import { Agent, request } from 'node:http';
import type { RunCmd, RunResult } from '../lib/protocol.ts';
import { wallNow } from '../lib/protocol.ts';
import { Grow } from '../lib/stats.ts';

/** The message text carries everything a receiver needs: window, origin, number, send start. */
export function encodeText(tag: string, worker: number, n: number, t0: number, warm: boolean): string {
  return `${tag}|${worker}|${n}|${t0.toFixed(3)}|${warm ? 1 : 0}`;
}

export async function runSender(cmd: RunCmd, worker: number): Promise<RunResult> {
  const url = new URL(cmd.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: cmd.maxSockets, keepAliveMsecs: 30_000 });
  const total = Math.round((cmd.rate * cmd.durationMs) / 1000);
  const expected = new Uint16Array(total);
  const ack = new Grow();
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let firstError: string | null = null;
  let inFlight = 0;
  let maxLagMs = 0;
  let doneAt = 0;
  const intervalMs = 1000 / cmd.rate;
  const imba = cmd.target === 'imbachat';
  const pending = new Set<(ok: boolean, why?: string) => void>();

  const send = (n: number) => {
    const flow = cmd.flows[n % cmd.flows.length]!;
    const t0 = wallNow();
    const warm = t0 - cmd.startAt < cmd.warmupMs;
    const text = encodeText(cmd.tag, worker, n, t0, warm);
    const body = imba
      ? JSON.stringify({ text, client_msg_id: `${cmd.tag}-${worker}-${n}` })
      : JSON.stringify({ to: flow.recipients, from: flow.senderId, text });
    inFlight++;
    let settled = false;
    const finish = (ok: boolean, why?: string) => {
      if (settled) return;
      settled = true;
      pending.delete(finish);
      inFlight--;
      doneAt = wallNow();
      if (ok) {
        acked++;
        expected[n] = flow.recipients.length;
        if (!warm) ack.push(doneAt - t0);
      } else {
        failed++;
        firstError ??= why ?? 'error';
      }
    };
    pending.add(finish);
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: flow.path,
        timeout: cmd.requestTimeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(imba && { authorization: `Bearer ${flow.token}` }),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let errBody = '';
        res.on('data', (c: Buffer) => {
          if (status >= 300 && errBody.length < 300) errBody += c.toString();
        });
        res.on('end', () => finish(status >= 200 && status < 300, `HTTP ${status} ${errBody.slice(0, 200)}`));
        res.on('error', (e) => finish(false, e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${cmd.requestTimeoutMs} ms`)));
    req.on('error', (e) => finish(false, e.message));
    req.end(body);
    sent++;
  };

  while (wallNow() < cmd.startAt) await sleep(Math.min(50, cmd.startAt - wallNow()));
  // Sends whatever is due each turn; when the event loop falls behind, the backlog goes out at once
  // (open loop), and the lag is reported so a saturated generator is not mistaken for a slow server.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = wallNow();
      const due = Math.min(total, Math.floor((now - cmd.startAt) / intervalMs) + 1);
      if (sent < due) maxLagMs = Math.max(maxLagMs, now - (cmd.startAt + sent * intervalMs));
      while (sent < due) send(sent);
      if (sent >= total) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  // The socket timeout does not cover requests still queued for a socket, so a stuck server could
  // hold the window forever; past this point whatever is unanswered counts as failed.
  const giveUpAt = wallNow() + 2 * cmd.requestTimeoutMs;
  while (inFlight > 0 && wallNow() < giveUpAt) await sleep(5);
  for (const f of [...pending]) f(false, 'no answer before the window was closed');
  agent.destroy();
  return { sent, acked, failed, firstError, expected, ackMs: ack.take(), maxLagMs, doneAt };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
