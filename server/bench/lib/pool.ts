// The runner's handle on its load-worker processes: forks them (TypeScript through tsx's loader),
// sends commands and awaits their answers, and stops them by pid.
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerCmd, WorkerReply } from './protocol.ts';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Worker {
  index: number;
  child: ChildProcess;
  call<T>(cmd: WorkerCmd): Promise<T>;
}

export interface Pool {
  workers: Worker[];
  /** The same command to every worker (built per worker), answers in worker order. */
  all<T>(cmd: (w: Worker) => WorkerCmd): Promise<T[]>;
  stop(): Promise<void>;
}

/** Forks a TypeScript module with tsx's loader in the same node, so the pid is the real process. */
export function forkTs(module: string, env: Record<string, string> = {}, execArgv: string[] = []): ChildProcess {
  return fork(join(benchDir, module), [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, ...env },
    // Typed arrays and Maps cross as they are instead of through JSON.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export function startPool(size: number): Pool {
  const workers: Worker[] = Array.from({ length: size }, (_, index) => {
    const child = forkTs('workers/load-worker.ts', { BENCH_WORKER_INDEX: String(index) });
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let nextId = 1;
    child.on('message', (raw) => {
      const reply = raw as WorkerReply;
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(`worker ${index}: ${reply.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const p of pending.values()) p.reject(new Error(`worker ${index} exited (${signal ?? code})`));
      pending.clear();
    });
    return {
      index,
      child,
      call<T>(cmd: WorkerCmd) {
        return new Promise<T>((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          child.send({ id, cmd });
        });
      },
    };
  });
  return {
    workers,
    all: <T>(cmd: (w: Worker) => WorkerCmd) => Promise.all(workers.map((w) => w.call<T>(cmd(w)))),
    async stop() {
      await Promise.all(workers.map((w) => stopChild(w.child)));
    },
  };
}

export async function stopChild(child: ChildProcess, graceMs = 8_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
