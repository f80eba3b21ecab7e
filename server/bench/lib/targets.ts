// The servers under test, each started as its own process: ImbaChat (server/src/main.ts on a temp
// data dir) and the two references; and what /proc says about a process (RSS, CPU time) and the machine.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHttp, writeServerConfig } from '../../../scripts/stack.ts';
import type { TargetKind } from './protocol.ts';
import { BENCH_SERVER_ENV, type BenchWidget, DEV_ID, widgetEntry } from './imbachat.ts';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_IMBACHAT_DIR runs another checkout's server/ (a baseline commit, say) under the same load.
const serverDir = process.env.BENCH_IMBACHAT_DIR ? resolve(process.env.BENCH_IMBACHAT_DIR) : join(benchDir, '..');
export const profDir = join(benchDir, 'results', 'prof');

export const LABEL: Record<TargetKind, string> = { imbachat: 'ImbaChat', ws: 'ws', socketio: 'Socket.IO' };

export interface Target {
  kind: TargetKind;
  baseUrl: string;
  pid: number;
  dataDir: string | null;
  /** The server's stdout and stderr (deleted when it exits cleanly). */
  logPath: string;
  stop(): Promise<void>;
}

const live = new Set<Target>();

/** Stops every server still running, for an interrupted run. */
export async function stopAllTargets(): Promise<void> {
  await Promise.all([...live].map((t) => t.stop()));
}

export interface StartOptions {
  widget: BenchWidget;
  /** Reuse this data dir (already seeded) instead of a fresh temp one; it is left in place. */
  dataDir?: string;
  /** Names the CPU profile's folder (the scenario), when BENCH_CPU_PROF=1. */
  label?: string;
  /** The bench widget's allowed page origins (ImbaChat); none means every origin. */
  allowedOrigins?: string[];
  /**
   * ImbaChat's engines: DATABASE_URL, REDIS_URL, IMBACHAT_REDIS_PREFIX (the cluster scenario).
   * Without them the server runs on the embedded default (SQLite, in-process bus) even when the
   * runner's own environment has these variables set.
   */
  engines?: { DATABASE_URL: string; REDIS_URL: string; IMBACHAT_REDIS_PREFIX: string };
}

/** The variables that select the server's engines: never inherited from the runner's environment. */
const ENGINE_VARS = ['DATABASE_URL', 'REDIS_URL', 'IMBACHAT_REDIS_PREFIX'];

export async function startTarget(kind: TargetKind, o: StartOptions): Promise<Target> {
  const port = await freePort();
  const work = mkdtempSync(join(tmpdir(), `imbachat-bench-${kind}-`));
  const logPath = join(work, 'server.log');
  const log = openSync(logPath, 'a');
  const nodeArgs = ['--import', 'tsx'];
  let script: string;
  const env: Record<string, string> = { PORT: String(port), HOST: '127.0.0.1' };
  let dataDir: string | null = null;
  if (kind === 'imbachat') {
    dataDir = o.dataDir ?? join(work, 'data');
    const configPath = join(work, 'widgets.json');
    writeServerConfig(configPath, [widgetEntry(o.widget, o.allowedOrigins)]);
    Object.assign(env, { IMBACHAT_DATA_DIR: dataDir, IMBACHAT_CONFIG: configPath, LOG_LEVEL: 'warn', ...BENCH_SERVER_ENV, ...o.engines });
    // Node flags go before --import so the profiler covers the loader too; the profile is written
    // when the server exits cleanly (SIGTERM → close → exit), which stop() waits for.
    if (process.env.BENCH_CPU_PROF === '1') {
      // One folder per server start: node writes one file per thread (the main one has `.0.` in its name).
      const dir = join(profDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${o.label ?? 'imbachat'}`);
      mkdirSync(dir, { recursive: true });
      nodeArgs.unshift('--cpu-prof', `--cpu-prof-dir=${dir}`);
    }
    script = join(serverDir, 'src', 'main.ts');
  } else {
    script = join(benchDir, 'reference', kind === 'ws' ? 'ws-forwarder.ts' : 'socketio-rooms.ts');
  }
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !ENGINE_VARS.includes(k)));
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: serverDir,
    env: { ...inherited, ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<string>((r) => child.once('exit', (code, sig) => r(sig ?? `exit ${code}`)));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/healthz`, { exited, what: `${LABEL[kind]} server`, timeoutMs: 60_000 });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- ${logPath} ---\n${tail(logPath)}`);
  }
  let stopped: Promise<void> | null = null;
  const target: Target = {
    kind,
    baseUrl,
    pid: child.pid!,
    dataDir,
    logPath,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
        const how = await exited;
        if (how !== 'exit 0' && how !== 'SIGTERM') console.warn(`  (${LABEL[kind]} exited ${how}; log: ${logPath})\n${tail(logPath)}`);
        else rmSync(work, { recursive: true, force: true });
        live.delete(target);
      })();
      return stopped;
    },
  };
  live.add(target);
  return target;
}

/** The last lines of a file (a server's log), or "(no log)". */
export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resident set size of a process in KB, from /proc (Linux only; null elsewhere). */
export function rssKb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, ms, from /proc (null elsewhere). */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system) of a process and all its descendants so far, ms, from /proc: each live
 * one's own time plus what its exited children left in its cutime/cstime (null elsewhere). For the
 * runner this covers the servers it started, the load workers and a browser with its renderers.
 */
export function treeCpuMs(root: number): number | null {
  try {
    const stats = new Map<number, { ppid: number; ticks: number }>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // ppid is field 4; utime, stime, cutime, cstime are fields 14 to 17.
        stats.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
      } catch {
        // the process exited while we looked; its parent's cutime has it now
      }
    }
    const children = new Map<number, number[]>();
    for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
    let ticks = 0;
    const todo = [root];
    while (todo.length) {
      const pid = todo.pop()!;
      ticks += stats.get(pid)?.ticks ?? 0;
      todo.push(...(children.get(pid) ?? []));
    }
    return (ticks * 1000) / 100;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine, to tell how much else was running during a window. */
export function machineTicks(): { busy: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Which node process a target is, for the report. */
export function describeTarget(kind: TargetKind): string {
  return kind === 'imbachat' ? 'server/src/main.ts' : `bench/reference/${kind === 'ws' ? 'ws-forwarder' : 'socketio-rooms'}.ts`;
}

export { DEV_ID };
