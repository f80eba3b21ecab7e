// A pino logger whose every line the test can read, and what must never be in it after hostile
// input: error-level lines (a client's fault is not the server's error), stack traces, tokens.
import pino, { type Logger } from 'pino';

export interface CapturedLog {
  log: Logger;
  lines: string[];
  /** What is wrong with the lines logged from `from` on, in plain words; empty when nothing is. */
  problems(from?: number): string[];
}

const STACK = /\\n\s+at |"stack"\s*:/;

export function captureLog(secrets: () => string[]): CapturedLog {
  const lines: string[] = [];
  // Debug, not the production default: a stack trace for a client's fault is wrong at any level.
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return {
    log,
    lines,
    problems(from = 0) {
      const out: string[] = [];
      const tokens = secrets();
      for (const line of lines.slice(from)) {
        let level = 0;
        try {
          level = (JSON.parse(line) as { level: number }).level;
        } catch {
          out.push(`a log line that is not JSON: ${line.slice(0, 300)}`);
          continue;
        }
        if (level >= 50) out.push(`an error-level log line: ${line.slice(0, 600)}`);
        else if (STACK.test(line)) out.push(`a stack trace in the log: ${line.slice(0, 600)}`);
        if (tokens.some((t) => line.includes(t))) out.push(`a token in the log: ${line.slice(0, 200)}`);
      }
      return out;
    },
  };
}
