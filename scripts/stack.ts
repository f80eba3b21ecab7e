// Runs the pieces of a local ImbaChat stack as `pnpm start` and the browser tests need them:
// the widget build, the chat server as a child process, its widgets file, and readiness checks.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The loader is the last file the widget build writes, so its presence means a complete build. */
export const widgetLoader = join(repoRoot, 'widget', 'dist', 'loader.js');

export interface WidgetEntry {
  dev_id: string;
  name: string;
  secret_key: string;
  api_login: string;
  api_password: string;
  users_info_url: string;
  allowed_origins: string[];
  admin_ids: string[];
  /** Per-widget rate limits, as in the widgets file (docs/api.md, "Rate limits"). */
  rate_limits?: Record<string, Record<string, { burst: number; per_second: number }>>;
}

/**
 * The host sites of a local stack (the demo site, the browser tests' and the benches' users-info)
 * listen on loopback, which the server's SSRF guard refuses unless IMBACHAT_HOST_ALLOWLIST opens it.
 */
export const LOOPBACK_HOST_ALLOWLIST = '127.0.0.0/8,::1/128';

export function writeServerConfig(path: string, widgets: WidgetEntry[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ widgets }, null, 2)}\n`, { mode: 0o600 });
}

function run(cmd: string, args: string[], opts: { quiet?: boolean } = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})\n${output}`)),
    );
  });
}

/** The newest modification time among the files the widget is built from. */
function newestSource(): number {
  const widgetDir = join(repoRoot, 'widget');
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(widgetDir, 'src'));
  for (const name of readdirSync(widgetDir)) {
    if (/\.(ts|json)$/.test(name)) newest = Math.max(newest, statSync(join(widgetDir, name)).mtimeMs);
  }
  const protocol = join(repoRoot, 'server', 'src', 'realtime', 'protocol.ts');
  if (existsSync(protocol)) newest = Math.max(newest, statSync(protocol).mtimeMs);
  return newest;
}

/** Whether widget/dist is missing or older than the widget's sources (a stale bundle tests old code). */
export function widgetBuildNeeded(): boolean {
  return !existsSync(widgetLoader) || statSync(widgetLoader).mtimeMs < newestSource();
}

/** Builds the widget bundle unless an up-to-date build is already there. Returns true when it built. */
export async function ensureWidgetBuilt(opts: { quiet?: boolean; force?: boolean } = {}): Promise<boolean> {
  if (!opts.force && !widgetBuildNeeded()) return false;
  await run('pnpm', ['--filter', '@imbachat/widget', 'build'], opts);
  if (!existsSync(widgetLoader)) throw new Error(`the widget build did not produce ${widgetLoader}`);
  return true;
}

/** A port that was free a moment ago (the server is a separate process, so it cannot take port 0 and tell us). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolvePromise(port));
    });
  });
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const s = createServer();
    s.once('error', () => resolvePromise(false));
    s.listen(port, host, () => s.close(() => resolvePromise(true)));
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process group is gone. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  port: number;
  host?: string;
  dataDir: string;
  configPath: string;
  logLevel?: string;
  /** 'inherit' shows the logs; a file descriptor collects them. */
  output: 'inherit' | 'ignore' | number;
  /** More server settings (IMBACHAT_* variables). */
  env?: Record<string, string>;
}

/**
 * Starts `pnpm --filter @imbachat/server serve` in its own process group, so that stopping it
 * reaches pnpm and the server alike, and a Ctrl-C in the terminal reaches it only through us.
 * stop() sends SIGTERM: the server closes its connections and the database and exits 0 (pnpm
 * `exec`s it, so no shell in between dies of the signal instead).
 */
export function startServerProcess(o: ServerProcessOptions): ServerProcess {
  const host = o.host ?? '127.0.0.1';
  const child = spawn('pnpm', ['--silent', '--filter', '@imbachat/server', 'serve'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', o.output, o.output],
    env: {
      ...process.env,
      PORT: String(o.port),
      HOST: host,
      IMBACHAT_DATA_DIR: o.dataDir,
      IMBACHAT_CONFIG: o.configPath,
      LOG_LEVEL: o.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      ...o.env,
    },
  });
  const exited = new Promise<string>((resolvePromise) => {
    child.once('exit', (code, signal) => resolvePromise(signal ?? `exit ${code}`));
    child.once('error', (err) => resolvePromise(`spawn error: ${err.message}`));
  });
  const pgid = child.pid;
  const groupAlive = () => {
    if (!pgid) return false;
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (signal: NodeJS.Signals) => {
    if (!pgid) return;
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  };
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${o.port}`,
    child,
    exited,
    stop() {
      stopping ??= (async () => {
        signalGroup('SIGTERM');
        const deadline = Date.now() + 8_000;
        while (groupAlive() && Date.now() < deadline) await delay(50);
        if (groupAlive()) signalGroup('SIGKILL');
        await exited;
      })();
      return stopping;
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Waits until `url` answers over HTTP at all (any status). Fails early when `exited` settles first,
 * i.e. the process that should serve it died.
 */
export async function waitForHttp(url: string, o: { timeoutMs?: number; exited?: Promise<string>; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  let died: string | null = null;
  void o.exited?.then((how) => (died = how));
  for (;;) {
    if (died) throw new Error(`${o.what ?? url} stopped before answering (${died})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${o.what ?? url} did not answer within ${o.timeoutMs ?? 60_000} ms`);
      await delay(100);
    }
  }
}
