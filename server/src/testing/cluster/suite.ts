// What the cluster test needs of the machine (PostgreSQL reachable, the redis-server binary), and
// the plain failure, or skip with IMBACHAT_SKIP_EXTERNAL=1, when something is missing.
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { SKIP_EXTERNAL, postgresProblem } from '../../store/postgres/test-database.ts';

/** Why the cluster cannot run here, or null. The test starts its own redis-server: the binary must exist. */
export async function clusterProblem(): Promise<string | null> {
  const problems: string[] = [];
  const pg = await postgresProblem();
  if (pg) problems.push(pg);
  const redis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (redis.error || redis.status !== 0) {
    problems.push(
      'The redis-server binary is not on PATH: the cluster test runs a Redis of its own (so it can restart it). ' +
        "Debian's redis-server package provides it; .ci/run starts PostgreSQL and Redis when they are installed but down. " +
        'Set IMBACHAT_SKIP_EXTERNAL=1 to skip the tests that need them.',
    );
  }
  return problems.length ? problems.join('\n') : null;
}

/** Declares the suite when the cluster can run; otherwise one failing test that says why (or a skip). */
export async function clusterSuite(name: string, body: () => void): Promise<void> {
  const problem = await clusterProblem();
  if (!problem) return void describe(name, body);
  if (SKIP_EXTERNAL) {
    console.warn(`skipped "${name}": ${problem}`);
    return void describe.skip(`${name} (skipped: needs PostgreSQL and redis-server)`, body);
  }
  describe(name, () =>
    it('needs PostgreSQL and redis-server', () => {
      throw new Error(problem);
    }),
  );
}
