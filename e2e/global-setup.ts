// Starts what the browser tests drive: the widget build (when missing), the chat server as its own
// process on a temp data dir, and the demo host site; hands their addresses to the tests via env.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoSite, serveApp } from '@imbachat/demo';
import { Hono } from 'hono';
import { LOOPBACK_HOST_ALLOWLIST, ensureWidgetBuilt, freePort, startServerProcess, waitForHttp, writeServerConfig } from '../scripts/stack.ts';
import { hostPages } from './support/host-page.ts';
import { E2E_USERS } from './support/users.ts';

export const DEV_ID = 'e2e';

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (await ensureWidgetBuilt({ quiet: true })) console.log('[e2e] built the widget');

  const dataDir = mkdtempSync(join(tmpdir(), 'imbachat-e2e-'));
  const secretKey = randomBytes(32).toString('base64url');
  const apiLogin = 'imbachat';
  const apiPassword = randomBytes(16).toString('base64url');
  const serverPort = await freePort();
  const serverUrl = `http://127.0.0.1:${serverPort}`;

  // The demo site as `pnpm start` serves it, plus bare test pages on the same (allowed) origin.
  const app = new Hono();
  const site = createDemoSite({ serverUrl, devId: DEV_ID, secretKey, apiLogin, apiPassword, users: E2E_USERS });
  app.route('/e2e-host', hostPages({ serverUrl, devId: DEV_ID, secretKey, users: E2E_USERS, site }));
  app.route('/', site);
  const demo = await serveApp(app, { port: 0 });
  const configPath = join(dataDir, 'imbachat.config.json');
  const widget = {
    dev_id: DEV_ID,
    name: 'Browser tests',
    secret_key: secretKey,
    api_login: apiLogin,
    api_password: apiPassword,
    // The demo site's users-info, plus each test's own guests (see support/host-page.ts).
    users_info_url: `${demo.url}/e2e-host/users-info`,
    allowed_origins: [demo.url, `http://localhost:${demo.port}`],
    admin_ids: ['1'],
    // Tests seed long histories over REST from one address in a moment: sending has room for
    // that; every other limit is the server's default, which the tests, like people, never meet.
    rate_limits: { send: { user: { burst: 10_000, per_second: 1_000 }, ip: { burst: 100_000, per_second: 10_000 } } },
    // Small enough that a test can meet it for real (adding a member beyond it is refused with
    // group_too_large), large enough for the 30-member layout test.
    max_group_members: 40,
  };
  writeServerConfig(configPath, [widget]);

  const logPath = join(import.meta.dirname, 'server.log');
  // No clock-skew leeway: the token tests use tokens that expire within seconds. The users-info
  // host (the demo site) is on loopback, which the SSRF guard refuses unless allowed.
  const server = startServerProcess({
    port: serverPort,
    dataDir,
    configPath,
    logLevel: 'info',
    output: openSync(logPath, 'w'),
    env: { IMBACHAT_TOKEN_LEEWAY_S: '0', IMBACHAT_HOST_ALLOWLIST: LOOPBACK_HOST_ALLOWLIST },
  });
  try {
    await waitForHttp(`${serverUrl}/imbachat/v1/${DEV_ID}/widget`, { exited: server.exited, what: `the chat server (log: ${logPath})` });
  } catch (err) {
    await Promise.allSettled([server.stop(), demo.close()]);
    rmSync(dataDir, { recursive: true, force: true });
    const tail = readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`${(err as Error).message}\n--- last lines of the server log ---\n${tail}`);
  }

  process.env.E2E_SERVER_URL = serverUrl;
  process.env.E2E_DEMO_URL = demo.url;
  process.env.E2E_DEV_ID = DEV_ID;
  process.env.E2E_SECRET_KEY = secretKey;

  return async () => {
    await Promise.allSettled([server.stop(), demo.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
