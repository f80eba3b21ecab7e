// The real server as a process of its own (`node --import tsx src/main.ts`), for tests that kill it:
// started on a free port with the environment a deployment gives it, its output kept line by line.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const serverDir = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every line written to stdout or stderr so far. */
  lines: string[];
  /** Calls `listener` with each line written from now on; the returned function stops it. */
  onLine(listener: (line: string) => void): () => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the server and resolves once it logs that it is listening. `env` is added to a copy of
 * this process's environment without the variables a developer's shell may carry for the demo.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env };
  delete full.INIT_CWD;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: serverDir, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  // 'close' comes after the output is read to its end, so `lines` is complete once this settles.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const take = (line: string) => {
      lines.push(line);
      for (const l of [...listeners]) l(line);
      if (!line.includes('"msg":"imbachat server listening"')) return;
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch (err) {
        reject(err as Error);
      }
    };
    createInterface({ input: child.stdout! }).on('line', take);
    createInterface({ input: child.stderr! }).on('line', take);
    void exited.then((how) => reject(new Error(`the server ended (${JSON.stringify(how)}) before listening:\n${lines.join('\n')}`)));
  });
  const onLine = (listener: (line: string) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return { child, url, lines, onLine, exited };
}

/** SIGKILL: no handler runs, nothing is flushed or closed; resolves when the process is gone. */
export async function killHard(p: ServerProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}
