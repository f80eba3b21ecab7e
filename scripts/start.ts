// `pnpm start`: the chat server plus the demo host site on another origin, wired to each other
// through a widgets file whose secrets are generated once and kept in the data directory.
// Ctrl-C (or SIGTERM, SIGHUP) in any phase stops what is running and exits 0.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_USERS, signChatToken, startDemoSite } from '../demo/src/index.ts';
import { LOOPBACK_HOST_ALLOWLIST, ensureWidgetBuilt, portIsFree, repoRoot, startServerProcess, waitForHttp, writeServerConfig } from './stack.ts';

const env = process.env;
const host = env.HOST ?? '127.0.0.1';
const serverPort = Number(env.SERVER_PORT ?? 8080);
const demoPort = Number(env.DEMO_PORT ?? 3000);
// Relative paths are relative to where `pnpm start` was typed, like the server's own settings.
const dataDir = resolve(env.INIT_CWD ?? repoRoot, env.IMBACHAT_DATA_DIR ?? 'data');
const browserHost = host === '127.0.0.1' || host === '0.0.0.0' || host === '::' || host === '::1' ? 'localhost' : host;
const serverUrl = (env.SERVER_PUBLIC_URL ?? `http://${browserHost}:${serverPort}`).replace(/\/+$/, '');
const demoUrl = (env.DEMO_PUBLIC_URL ?? `http://${browserHost}:${demoPort}`).replace(/\/+$/, '');
const DEV_ID = 'demo';

interface DemoSecrets {
  secret_key: string;
  api_login: string;
  api_password: string;
}

/** The demo widget's secrets: made on the first run, then reused so tokens and logins survive restarts. */
function demoSecrets(): DemoSecrets {
  const path = join(dataDir, 'demo-secrets.json');
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<DemoSecrets>;
    if (saved.secret_key && saved.api_login && saved.api_password) return saved as DemoSecrets;
  }
  const fresh: DemoSecrets = {
    secret_key: randomBytes(32).toString('base64url'),
    api_login: 'imbachat',
    api_password: randomBytes(18).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  return fresh;
}

/**
 * The club's group chat, created once (on the first run) by Alice with every member, the way a
 * host backend creates a group through the API; a marker in the data dir remembers it.
 */
async function ensureDemoGroup(secretKey: string): Promise<void> {
  const marker = join(dataDir, 'demo-group.json');
  if (existsSync(marker)) return;
  const [owner, ...members] = DEMO_USERS;
  const token = await signChatToken(secretKey, owner!.id, 60);
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${serverPort}/api/v1/${DEV_ID}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return (await res.json()) as { id: number };
  };
  const group = await call('/dialogs', { type: 'group', title: 'Corner Club lounge', user_ids: members.map((m) => m.id) });
  await call(`/dialogs/${group.id}/messages`, { text: 'Welcome to the lounge, everyone! 👋', client_msg_id: 'demo-welcome' });
  writeFileSync(marker, `${JSON.stringify({ dialog_id: group.id })}\n`);
}

/** What is running so far, closed in order by a stop. */
const running: Array<() => Promise<unknown>> = [];
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(running.map((close) => close()));
  if (code === 0) console.log('\nImbaChat stopped.');
  process.exit(code);
}

// Listening from the start, so a Ctrl-C while the widget builds or the server boots is a clean
// stop too. One Ctrl-C arrives several times (from the terminal, then from pnpm): stop() runs once.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

/** Reports a failure and exits 1, unless a stop is under way: then the failure is its doing. */
function fail(message: string): Promise<never> {
  if (!stopping) {
    console.error(`\nimbachat: ${message}`);
    void stop(1);
  }
  return new Promise<never>(() => {});
}

async function main() {
  for (const [name, port] of [['SERVER_PORT', serverPort], ['DEMO_PORT', demoPort]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`${name} must be a port number`);
    if (!(await portIsFree(port, host))) return fail(`port ${port} is in use; choose another with ${name}=…`);
  }
  if (serverPort === demoPort) return fail('SERVER_PORT and DEMO_PORT must differ');

  if (await ensureWidgetBuilt({ quiet: false }).catch((err: Error) => fail(`building the widget failed: ${err.message}`))) {
    console.log('Built the widget.');
  }

  const secrets = demoSecrets();
  const demoOrigins = [...new Set([demoUrl, `http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`])];
  const configPath = join(dataDir, 'imbachat.config.json');
  writeServerConfig(configPath, [
    {
      dev_id: DEV_ID,
      name: 'Corner Club (demo)',
      ...secrets,
      users_info_url: `http://127.0.0.1:${demoPort}/api/users-info`,
      allowed_origins: demoOrigins,
      admin_ids: ['1'],
    },
  ]);

  const server = startServerProcess({
    port: serverPort,
    host,
    dataDir,
    configPath,
    logLevel: env.LOG_LEVEL ?? 'warn',
    output: 'inherit',
    // The demo site, the widget's host, is on 127.0.0.1.
    env: { IMBACHAT_HOST_ALLOWLIST: LOOPBACK_HOST_ALLOWLIST },
  });
  running.push(() => server.stop());
  void server.exited.then((how) => fail(`the chat server stopped (${how}).`));
  const demo = await startDemoSite(
    {
      serverUrl,
      devId: DEV_ID,
      secretKey: secrets.secret_key,
      apiLogin: secrets.api_login,
      apiPassword: secrets.api_password,
      publicUrl: demoUrl,
    },
    { port: demoPort, host },
  );
  running.push(() => demo.close());
  // A stop that came while the site was binding its port has already closed what was running.
  if (stopping) return demo.close();

  try {
    await waitForHttp(`http://127.0.0.1:${serverPort}/imbachat/v1/${DEV_ID}/widget`, {
      exited: server.exited,
      what: 'the chat server',
      timeoutMs: 120_000,
    });
    await waitForHttp(`http://127.0.0.1:${demoPort}/login`, { what: 'the demo site' });
    await ensureDemoGroup(secrets.secret_key).catch((err: Error) => {
      if (!stopping) console.warn(`imbachat: could not create the demo group (${err.message}).`);
    });
  } catch (err) {
    return fail((err as Error).message);
  }
  if (stopping) return;

  console.log(`
  ImbaChat is running.

    Chat server   ${serverUrl}     (widget script: ${serverUrl}/imbachat/v1/${DEV_ID}/widget)
    Demo site     ${demoUrl}

  Open ${demoUrl} in two browsers (or a normal and a private window),
  log in as Alice Martin in one and as Bob Stone in the other, open Bob's profile and
  press "Write a message". Everyone is also in the "Corner Club lounge" group.

  Data and the demo widget's secrets live in ${dataDir} (delete it to start afresh).
  Press Ctrl-C to stop.
`);
}

void main();
