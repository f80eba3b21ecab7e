// Waiting on what a server process says in its log: the events of the Redis link (lost, restored)
// have no other outside sign, so the cluster test awaits their log lines.
import type { ServerProcess } from '../server-process.ts';
import { within } from '../ws-client.ts';

/** The parsed JSON log line, or null for a line that is not one. */
function parse(line: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(line) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Resolves with the first log line from index `from` on (lines already written count) whose
 * fields include every one of `fields`; fails after `ms` saying `what`.
 */
export function waitForLine(p: ServerProcess, fields: Record<string, unknown>, what: string, from = 0, ms = 15_000): Promise<Record<string, unknown>> {
  const matches = (line: string) => {
    const entry = parse(line);
    return entry && Object.entries(fields).every(([k, v]) => entry[k] === v) ? entry : null;
  };
  let stop = () => {};
  const found = new Promise<Record<string, unknown>>((resolve) => {
    stop = p.onLine((line) => {
      const entry = matches(line);
      if (entry) resolve(entry);
    });
    for (const line of p.lines.slice(from)) {
      const entry = matches(line);
      if (entry) return resolve(entry);
    }
  });
  return within(found, what, ms).finally(stop);
}
