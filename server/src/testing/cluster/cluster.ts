// A cluster for tests: three real server processes sharing one fresh PostgreSQL database and a
// redis-server of the test's own, behind Debian's nginx when it is installed, with a host site.
// Loopback only. Node 0's Redis traffic crosses a TCP hop in the test process: a little slower
// than the others' link, as a node further away on a real network would be.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PrivateRedis, type TcpHop, startPrivateRedis, startTcpHop, uniquePrefix } from '../../bus/redis-test-support.ts';
import { RATE_ACTIONS } from '../../limits/policy.ts';
import { type TestDatabase, createTestDatabase } from '../../store/postgres/test-database.ts';
import { sign } from '../harness.ts';
import { type HostSite, startHostSite } from '../host-site.ts';
import { type ServerProcess, killHard, startServerProcess } from '../server-process.ts';
import { type Nginx, nginxBinary, startNginx } from './nginx.ts';
import { freePort } from '../free-port.ts';

export const DEV_ID = 'cluster';

export interface ClusterNode {
  index: number;
  /** 127.0.0.1:port, as nginx names it in X-ImbaChat-Node. */
  address: string;
  url: string;
  /** The running process; null after a kill until a restart. */
  process: ServerProcess | null;
  /** The output of the node's earlier processes (before a kill). */
  history: string[];
}

export interface Cluster {
  nodes: ClusterNode[];
  /** nginx in front of the nodes, or null when it is not installed (clients then pick nodes themselves). */
  balancer: Nginx | null;
  redis: PrivateRedis;
  /**
   * Node 0 reaches Redis through this TCP hop: blocking it keeps that node cut off after Redis is
   * back, so a test can hold a node's resubscription while the others deliver.
   */
  redisHop: TcpHop;
  prefix: string;
  token(userId: string): Promise<string>;
  /** SIGKILL: no handler runs; its sockets drop, its requests in flight get no answer. */
  kill(index: number): Promise<void>;
  /** Starts a killed node again on its port (same database, same Redis). */
  restart(index: number): Promise<void>;
  /** Every node's warnings and errors, for a failing test's output. */
  logs(): string;
  close(): Promise<void>;
}

/** Every bucket far above what the tests do: the cluster test pins delivery, not the limits. */
const UNMET = { burst: 1_000_000, per_second: 1_000_000 };

export async function startCluster(o: { users: string[]; nodes?: number }): Promise<Cluster> {
  const count = o.nodes ?? 3;
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'imbachat-cluster-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const host: HostSite = await startHostSite(o.users.map((id) => ({ user_id: id, name: `User ${id}` })));
    cleanups.push(() => host.stop());
    const database: TestDatabase = await createTestDatabase();
    cleanups.push(() => database.drop());
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.kill());
    const redisHop = await startTcpHop(redis.url);
    cleanups.push(() => redisHop.close());

    const secret = randomBytes(32).toString('hex');
    const config = join(dir, 'widgets.json');
    const rateLimits = Object.fromEntries(RATE_ACTIONS.map((a) => [a, { user: UNMET, ip: UNMET }]));
    const widget = { dev_id: DEV_ID, name: 'Cluster', secret_key: secret, api_login: host.login, api_password: host.password, users_info_url: host.url, rate_limits: rateLimits };
    writeFileSync(config, JSON.stringify({ widgets: [widget] }));
    // The test's own Redis is empty and dies with the test; the prefix still keeps its keys apart.
    const prefix = uniquePrefix();

    const nodes: ClusterNode[] = [];
    const env = (index: number, port: number): Record<string, string> => ({
      PORT: String(port),
      IMBACHAT_DATA_DIR: mkdtempSync(join(dir, `node${index}-`)),
      IMBACHAT_CONFIG: config,
      IMBACHAT_HOST_ALLOWLIST: '127.0.0.0/8,::1/128',
      IMBACHAT_TRUSTED_PROXIES: '127.0.0.1/32',
      DATABASE_URL: database.url,
      REDIS_URL: index === 0 ? redisHop.url : redis.url,
      IMBACHAT_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'info',
    });
    const start = async (index: number, port: number) => {
      const p = await startServerProcess(env(index, port));
      const u = new URL(p.url);
      // A restarted node keeps its object (and port): tests may hold on to it.
      const node = nodes[index] ?? (nodes[index] = { index, address: '', url: '', process: null, history: [] });
      Object.assign(node, { address: `127.0.0.1:${u.port}`, url: p.url, process: p });
      return node;
    };
    cleanups.push(() => Promise.all(nodes.map((n) => n.process && killHard(n.process))).then(() => {}));
    // All at once, as an orchestrator starts them: migrations and the widgets file must cope.
    // Settled, not Promise.all: a node still starting when another failed must be stopped too.
    const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => start(i, 0)));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;

    let balancer: Nginx | null = null;
    const nginx = nginxBinary();
    if (nginx) {
      const nginxDir = mkdtempSync(join(dir, 'nginx-'));
      balancer = await startNginx(nginx, nginxDir, await freePort(), nodes.map((n) => n.address));
      cleanups.push(() => balancer?.stop());
    }

    return {
      nodes,
      balancer,
      redis,
      redisHop,
      prefix,
      token: (userId) => sign(secret, { user_id: userId, exp: Math.floor(Date.now() / 1000) + 3600 }),
      async kill(index) {
        const node = nodes[index]!;
        if (!node.process) return;
        await killHard(node.process);
        node.history.push(...node.process.lines, `(killed with SIGKILL)`);
        node.process = null;
      },
      async restart(index) {
        const node = nodes[index]!;
        if (node.process) throw new Error(`node ${index} is running`);
        await start(index, Number(node.address.split(':')[1]));
      },
      logs: () =>
        nodes.map((n) => `--- node ${n.index} (${n.address})\n${notable([...n.history, ...(n.process?.lines ?? [])]).join('\n')}`).join('\n') +
        (balancer ? `\n--- nginx\n${balancer.errors()}` : ''),
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Warnings and errors (pino level 40 and up) and what was not JSON, at most the last 30. */
function notable(lines: string[]): string[] {
  return lines
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 40;
      } catch {
        return true;
      }
    })
    .slice(-30);
}
