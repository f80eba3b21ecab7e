// A test server for the operations tests: the real server on a temp SQLite file and a real host
// site, with the server options these tests turn (buffer and socket caps, HTTP limits, the metrics
// token) and every log line captured as parsed JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../log.ts';
import { type RunningServer, type StartOptions, startServer } from '../server.ts';
import { DEFAULT_USERS, TEST_HOST_ALLOWLIST, type WsClient, connectWs, sign } from '../testing/harness.ts';
import { type HostSite, startHostSite } from '../testing/host-site.ts';
import { generateSecretKey } from '../widgets/service.ts';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface OpsEnv {
  server: RunningServer;
  host: HostSite;
  devId: string;
  /** Every line the server logged, raw, in order. */
  rawLogs: string[];
  logs(): LogLine[];
  token(userId: number | string): Promise<string>;
  /** fetch against the server; `path` starts with "/". */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A REST call of the widget's API as this user. */
  api(userId: number | string, path: string, init?: RequestInit): Promise<Response>;
  wsUrl: string;
  ws(userId: number | string | null): Promise<WsClient>;
  close(): Promise<void>;
}

export type OpsOptions = Partial<Omit<StartOptions, 'dataDir' | 'port' | 'host' | 'log' | 'prepare'>> & { logLevel?: string };

export async function startOpsEnv(o: OpsOptions = {}): Promise<OpsEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-ops-'));
  const host = await startHostSite(DEFAULT_USERS);
  const rawLogs: string[] = [];
  const log = createLogger(o.logLevel ?? 'trace', { write: (line: string) => void rawLogs.push(line) });
  const secret = generateSecretKey();
  const devId = `ops-${Math.random().toString(36).slice(2, 8)}`;
  const { logLevel: _level, ...options } = o;
  const server = await startServer({
    hostAllowlist: TEST_HOST_ALLOWLIST,
    usersInfoTimeoutMs: 1000,
    ...options,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    log,
    prepare: async (store) => {
      await store.insertWidget(
        { devId, name: 'Ops', secretKey: secret, apiLogin: host.login, apiPassword: host.password, usersInfoUrl: host.url, allowedOrigins: [], adminIds: [] },
        Date.now(),
      );
    },
  });
  const sockets: WsClient[] = [];
  const token = (userId: number | string) => sign(secret, { user_id: userId, exp: Math.floor(Date.now() / 1000) + 3600 });
  const env: OpsEnv = {
    server,
    host,
    devId,
    rawLogs,
    logs: () => rawLogs.map((l) => JSON.parse(l) as LogLine),
    token,
    fetch: (path, init) => fetch(`${server.url}${path}`, init),
    async api(userId, path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${await token(userId)}`);
      if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${server.url}/api/v1/${devId}${path}`, { ...init, headers });
    },
    wsUrl: `${server.url.replace('http', 'ws')}/api/v1/${devId}/ws`,
    async ws(userId) {
      const client = await connectWs(env.wsUrl, userId === null ? null : await token(userId));
      sockets.push(client);
      return client;
    },
    async close() {
      for (const s of sockets) s.socket.terminate();
      try {
        await server.close();
      } finally {
        await host.stop().catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return env;
}
