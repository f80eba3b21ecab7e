// A clean stop: on SIGINT or SIGTERM the real server process closes its WebSockets, its HTTP server
// and the database, logs one "stopped" line and exits 0 — which is what lets Ctrl-C on
// `pnpm serve` end without pnpm reporting a failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { openSqliteStore } from './store/sqlite/index.ts';

const serverDir = join(import.meta.dirname, '..');
const repoRoot = join(serverDir, '..');

interface Launched {
  child: ChildProcess;
  /** Every line written to stdout or stderr so far. */
  lines: string[];
  /** The first line matching, waiting for it; rejects when the process ends first. */
  line(match: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const launched: Launched[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of launched.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      try {
        process.kill(-p.child.pid!, 'SIGKILL');
      } catch {
        p.child.kill('SIGKILL');
      }
      await p.exited;
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data dir holding one widget, "shop", so the server has something to serve. */
async function dataDirWithWidget(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'imbachat-shutdown-'));
  dirs.push(dir);
  const store = openSqliteStore(join(dir, 'imbachat.sqlite'));
  await store.insertWidget(
    { devId: 'shop', name: 'Shop', secretKey: 'k'.repeat(40), apiLogin: '', apiPassword: '', usersInfoUrl: 'http://127.0.0.1:1/u', allowedOrigins: [], adminIds: [] },
    Date.now(),
  );
  await store.close();
  return dir;
}

function serverEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', IMBACHAT_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  delete env.IMBACHAT_CONFIG;
  delete env.INIT_CWD;
  return env;
}

/** Starts a process in its own process group, as a terminal runs a command. */
function launch(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Launched {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiting = new Set<{ match: RegExp; resolve: (line: string) => void }>();
  const onLine = (line: string) => {
    lines.push(line);
    for (const w of waiting) {
      if (w.match.test(line)) {
        waiting.delete(w);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  // 'close' comes after the output is read to its end, so `lines` is complete once this settles.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const p: Launched = {
    child,
    lines,
    exited,
    line: (match) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => match.test(l));
        if (seen !== undefined) return resolve(seen);
        waiting.add({ match, resolve });
        void exited.then((how) => reject(new Error(`the process ended (${JSON.stringify(how)}) before printing ${match}:\n${lines.join('\n')}`)));
      }),
  };
  launched.push(p);
  return p;
}

const logged = (lines: string[]) =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as { level: number; msg: string; signal?: string; url?: string }];
    } catch {
      return [];
    }
  });

async function listeningUrl(p: Launched): Promise<string> {
  const line = await p.line(/"msg":"imbachat server listening"/);
  return (JSON.parse(line) as { url: string }).url;
}

it.each(['SIGINT', 'SIGTERM'] as const)(
  '%s closes the open WebSockets, the HTTP server and the database, logs "stopped" once and exits 0',
  async (signal) => {
    const dataDir = await dataDirWithWidget();
    const server = launch(process.execPath, ['--import', 'tsx', 'src/main.ts'], serverDir, serverEnv(dataDir));
    const url = await listeningUrl(server);
    expect((await fetch(`${url}/api/v1/shop/me`)).status).toBe(401);
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/shop/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

    server.child.kill(signal);

    expect(await closed).toEqual({ code: 4000, reason: 'server_restart' });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const log = logged(server.lines);
    expect(log.filter((l) => l.msg === 'imbachat server stopped')).toEqual([expect.objectContaining({ level: 30, signal })]);
    expect(log.filter((l) => l.level >= 50)).toEqual([]);
    // Closed by its last connection, SQLite folded the WAL back into the file and removed it.
    const file = join(dataDir, 'imbachat.sqlite');
    expect(existsSync(`${file}-wal`)).toBe(false);
    const store = openSqliteStore(file);
    try {
      expect(await store.getWidgetByDevId('shop')).toMatchObject({ name: 'Shop' });
    } finally {
      await store.close();
    }
  },
  60_000,
);

it('one Ctrl-C as pnpm passes it on (SIGINT, SIGINT again, then SIGTERM) stops the server once, with exit code 0', async () => {
  const server = launch(process.execPath, ['--import', 'tsx', 'src/main.ts'], serverDir, serverEnv(await dataDirWithWidget()));
  await listeningUrl(server);
  server.child.kill('SIGINT');
  server.child.kill('SIGINT');
  server.child.kill('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
  expect(logged(server.lines).filter((l) => l.msg === 'imbachat server stopped')).toHaveLength(1);
}, 60_000);

it('Ctrl-C on `pnpm serve` (SIGINT to its whole process group) exits 0 without a pnpm error', async () => {
  const pnpm = launch('pnpm', ['serve'], repoRoot, serverEnv(await dataDirWithWidget()));
  await listeningUrl(pnpm);
  process.kill(-pnpm.child.pid!, 'SIGINT');
  expect(await pnpm.exited).toEqual({ code: 0, signal: null });
  const output = pnpm.lines.join('\n');
  expect(output).toContain('"msg":"imbachat server stopped"');
  expect(output).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/);
}, 60_000);
