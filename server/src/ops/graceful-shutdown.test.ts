// Graceful shutdown of the real server process: SIGTERM while a user is connected and sends are in
// flight closes the socket with a reconnect code, answers the sends it had received, exits 0, and
// every send it acknowledged is in the store after a restart, exactly once and in order.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { CloseCode, shouldReconnect } from '../realtime/protocol.ts';
import { DEFAULT_USERS, LOOPBACK_CIDRS, connectWs, sign } from '../testing/harness.ts';
import { type HostSite, startHostSite } from '../testing/host-site.ts';
import { generateSecretKey } from '../widgets/service.ts';

const serverDir = join(import.meta.dirname, '..', '..');

interface Proc {
  child: ChildProcess;
  lines: string[];
  url: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const procs: Proc[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  for (const c of cleanups.splice(0)) await c();
});

/** The real server process (`node --import tsx src/main.ts`) on a data dir and a widgets file. */
function launch(dataDir: string, configFile: string): Proc {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    IMBACHAT_DATA_DIR: dataDir,
    IMBACHAT_CONFIG: configFile,
    IMBACHAT_HOST_ALLOWLIST: LOOPBACK_CIDRS,
    LOG_LEVEL: 'info',
  };
  delete env.INIT_CWD;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: serverDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (listening = resolve));
  const onLine = (line: string) => {
    lines.push(line);
    if (line.includes('"msg":"imbachat server listening"')) listening((JSON.parse(line) as { url: string }).url);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const p: Proc = {
    child,
    lines,
    exited,
    url: Promise.race([url, exited.then((how) => Promise.reject(new Error(`the server ended (${JSON.stringify(how)}):\n${lines.join('\n')}`)))]),
  };
  procs.push(p);
  return p;
}

async function widgetSetup(): Promise<{ dataDir: string; configFile: string; secret: string; host: HostSite }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-sigterm-'));
  const host = await startHostSite(DEFAULT_USERS);
  cleanups.push(() => host.stop().catch(() => {}), () => rmSync(dataDir, { recursive: true, force: true }));
  const secret = generateSecretKey();
  const configFile = join(dataDir, 'widgets.json');
  const widget = { dev_id: 'shop', name: 'Shop', secret_key: secret, api_login: host.login, api_password: host.password, users_info_url: host.url };
  writeFileSync(configFile, JSON.stringify({ widgets: [widget] }));
  return { dataDir, configFile, secret, host };
}

/**
 * A send the server has received the head of (it answered "100 Continue", so the request is in
 * the app, reading its body) and whose body the test completes when it chooses.
 */
async function heldSend(base: string, path: string, token: string, body: unknown): Promise<{ finish(): Promise<{ status: number; body: any }> }> {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  socket.setEncoding('utf8');
  let answer = '';
  const continued = new Promise<void>((resolve, reject) => {
    socket.on('data', (d: string) => {
      answer += d;
      if (answer.includes('100 Continue')) resolve();
    });
    socket.once('error', reject);
  });
  const ended = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  const bytes = Buffer.from(JSON.stringify(body));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${bytes.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
  );
  await continued;
  return {
    async finish() {
      socket.write(bytes);
      const text = (await ended).replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      // A connection cut before the answer reads as status 0.
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      return { status, body: status ? JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) : null };
    },
  };
}

it('SIGTERM with a user connected and sends in flight: the socket is told to reconnect, the sends are answered 201, the process exits 0 and they are stored once, in order', async () => {
  const { dataDir, configFile, secret } = await widgetSetup();
  const token = (userId: number) => sign(secret, { user_id: userId, exp: Math.floor(Date.now() / 1000) + 3600 });
  const server = launch(dataDir, configFile);
  const url = await server.url;
  const alice = await token(1);
  const dialog = (await (
    await fetch(`${url}/api/v1/shop/dialogs`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, body: '{"user_id":2}' })
  ).json()) as { id: number };
  const socket = await connectWs(`${url.replace(/^http/, 'ws')}/api/v1/shop/ws`, await token(2));
  const path = `/api/v1/shop/dialogs/${dialog.id}/messages`;
  const held = await Promise.all(Array.from({ length: 5 }, (_, i) => heldSend(url, path, alice, { text: `in flight ${i + 1}`, client_msg_id: `m${i + 1}` })));

  server.child.kill('SIGTERM');
  const closed = await socket.closed;
  expect(closed).toEqual({ code: CloseCode.SERVER_RESTART, reason: 'server_restart' });
  expect(shouldReconnect(closed.code)).toBe(true);
  // The server is stopping (it closed the socket) and still finishes what it had received.
  const answers = await Promise.all(held.map((h) => h.finish()));
  expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
  expect(await server.exited).toEqual({ code: 0, signal: null });
  const log = server.lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as { level: number; msg: string }];
    } catch {
      return [];
    }
  });
  expect(log.filter((l) => l.level >= 50)).toEqual([]);
  expect(log.filter((l) => l.msg === 'imbachat server stopped')).toHaveLength(1);

  // After a restart on the same data: each acknowledged message once, in the order of its seq.
  const again = launch(dataDir, configFile);
  const url2 = await again.url;
  const page = (await (await fetch(`${url2}${path}?limit=100`, { headers: { authorization: `Bearer ${alice}` } })).json()) as {
    items: Array<{ id: number; seq: number; client_msg_id: string }>;
  };
  expect(page.items.map((m) => m.client_msg_id).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  expect(page.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  for (const a of answers) expect(page.items).toContainEqual(expect.objectContaining({ id: a.body.id, seq: a.body.seq, client_msg_id: a.body.client_msg_id }));
  again.child.kill('SIGTERM');
  expect(await again.exited).toEqual({ code: 0, signal: null });
}, 60_000);
