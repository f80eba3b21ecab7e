// The load balancer of the cluster test: the nginx configuration that balances HTTP and WebSockets
// over several nodes (docs/deploy.md shows the same text), and Debian's nginx run as the test's own process.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BalancerOptions {
  /** `listen` argument: a port, or address:port. */
  listen: string;
  serverName: string;
  /** host:port of every node. */
  nodes: readonly string[];
  /**
   * Adds `X-ImbaChat-Node: <upstream address>` to every answer, the 101 of a WebSocket included:
   * the test reads it to know which node a socket landed on. Off in docs/deploy.md, where it would
   * show clients the internal addresses.
   */
  nodeHeader?: boolean;
}

/**
 * The http-context part: what goes into /etc/nginx/conf.d/imbachat.conf. Plain round robin, no
 * stickiness: any node serves any request and any socket, because a socket that lands elsewhere
 * resumes from its last event_id.
 */
export function balancerConfig(o: BalancerOptions): string {
  const header = o.nodeHeader ? ['    add_header X-ImbaChat-Node $upstream_addr always;'] : [];
  return [
    '# ImbaChat: HTTP and WebSockets over several nodes that share PostgreSQL and Redis.',
    '',
    '# "Connection: upgrade" only when the client asked for an upgrade; otherwise an empty',
    '# Connection header, so the keep-alive connections to the nodes are reused.',
    'map $http_upgrade $imbachat_connection {',
    '    default upgrade;',
    "    ''      '';",
    '}',
    '',
    'upstream imbachat {',
    '    # A node that refuses a connection (stopped, crashed) is skipped for 5 s and the request',
    '    # goes to the next one; POSTs already sent to a node that died are not resent (clients',
    '    # retry them with the same client_msg_id).',
    ...o.nodes.map((n) => `    server ${n} max_fails=1 fail_timeout=5s;`),
    '    keepalive 32;',
    '}',
    '',
    'server {',
    `    listen ${o.listen};`,
    `    server_name ${o.serverName};`,
    '',
    '    proxy_http_version 1.1;',
    '    proxy_set_header Host $host;',
    '    # The nodes believe this header only from the addresses in IMBACHAT_TRUSTED_PROXIES.',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_set_header X-Forwarded-Proto $scheme;',
    '    proxy_set_header Upgrade $http_upgrade;',
    '    proxy_set_header Connection $imbachat_connection;',
    '    proxy_connect_timeout 2s;',
    ...header,
    '',
    '    # The WebSocket: the server pings every 25 s, so a read timeout well above it never cuts',
    '    # a live socket; one that died without a word is ended by the heartbeat.',
    '    location ~ ^/api/v1/[^/]+/ws/?$ {',
    '        proxy_pass http://imbachat;',
    '        proxy_read_timeout 1h;',
    '        proxy_send_timeout 1h;',
    '        proxy_buffering off;',
    '    }',
    '',
    '    location / {',
    '        proxy_pass http://imbachat;',
    '        proxy_read_timeout 30s;',
    '    }',
    '}',
    '',
  ].join('\n');
}

/**
 * Debian's nginx binary, or null when it is not installed (`apt-get install -y nginx`).
 * IMBACHAT_TEST_NGINX names another binary, or `none` to connect to the nodes directly.
 */
export function nginxBinary(env = process.env.IMBACHAT_TEST_NGINX): string | null {
  if (env === 'none') return null;
  for (const path of env ? [env] : ['/usr/sbin/nginx', 'nginx']) {
    if (spawnSync(path, ['-v'], { stdio: 'ignore' }).status === 0) return path;
  }
  return null;
}

export interface Nginx {
  url: string;
  /** The error log, for a failing test's message. */
  errors(): string;
  stop(): Promise<void>;
}

/**
 * Runs nginx in the foreground (`daemon off`) as this test's own process, on `port`, with its
 * configuration, pid file, logs and temp files in `dir`. Resolves once it accepts connections.
 */
export async function startNginx(binary: string, dir: string, port: number, nodes: readonly string[]): Promise<Nginx> {
  // Workers drop root for `nobody`, who must reach the temp directories under `dir`.
  chmodSync(dir, 0o755);
  const errorLog = join(dir, 'error.log');
  const conf = join(dir, 'nginx.conf');
  const temp = (name: string) => `    ${name}_temp_path ${join(dir, name)};`;
  writeFileSync(
    conf,
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '    access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
      balancerConfig({ listen: `127.0.0.1:${port}`, serverName: 'localhost', nodes, nodeHeader: true }),
      '}',
      '',
    ].join('\n'),
  );
  // -e: the log nginx writes to before it has read the configuration (otherwise /var/log/nginx).
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', conf, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const errors = () => {
    let log = '';
    try {
      log = readFileSync(errorLog, 'utf8');
    } catch {}
    return `${stderr}${log}`.slice(-4000);
  };
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    // SIGTERM, not SIGQUIT: a graceful quit would wait for every open WebSocket to end.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await whenAccepting(url, exited, errors);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, errors, stop };
}

/** Asks /healthz through nginx until a node answers (nginx says nothing when it is listening); fails at once when nginx exits. */
async function whenAccepting(url: string, exited: Promise<void>, errors: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (gone) throw new Error(`nginx exited at start:\n${errors()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`nginx did not answer within 10 s:\n${errors()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
