// The SSRF suite: the host client against real hosts on loopback that redirect, answer huge or
// drip slowly, and the connect-time address check. Only loopback is ever dialled; addresses that
// must not be dialled (metadata, private) are proven refused by address.test.ts without traffic.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_HOST_ALLOWLIST, quietLog } from '../testing/harness.ts';
import type { WidgetRow } from '../store/types.ts';
import { UsersDirectory } from '../users/directory.ts';
import { MAX_ANSWER_BYTES } from '../users/host-answer.ts';
import { NO_ALLOWLIST, parseHostAllowlist } from './address.ts';
import { HostCallError, type HostGetOptions, hostGet } from './client.ts';

interface LocalHost {
  port: number;
  url: string;
  /** TCP connections accepted: 0 proves the client refused before connecting. */
  connections: number;
  requests: number;
  close(): Promise<void>;
}

const opened: LocalHost[] = [];
afterEach(async () => {
  for (const h of opened.splice(0)) await h.close();
});

async function localHost(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<LocalHost> {
  const server = createServer((req, res) => {
    host.requests++;
    handle(req, res);
  });
  server.on('connection', () => host.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const host: LocalHost = {
    port,
    url: `http://127.0.0.1:${port}/users-info`,
    connections: 0,
    requests: 0,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
  opened.push(host);
  return host;
}

const json = (body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const get = (url: string, o: Partial<HostGetOptions> = {}) =>
  hostGet(url, { allowlist: TEST_HOST_ALLOWLIST, timeoutMs: 2000, maxBytes: MAX_ANSWER_BYTES, ...o });

/** The HostCallError a call ends with (fails the test if the call succeeds). */
async function failure(call: Promise<unknown>): Promise<HostCallError> {
  const outcome = await call.then(
    () => null,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(HostCallError);
  return outcome as HostCallError;
}

function widgetAt(url: string): WidgetRow {
  return { id: 1, devId: 'ssrf', name: 'W', secretKey: 's'.repeat(40), apiLogin: 'l', apiPassword: 'p', usersInfoUrl: url, allowedOrigins: [], adminIds: [], createdAt: 0, updatedAt: 0 };
}

function directory(reasons: string[], allowlist = TEST_HOST_ALLOWLIST) {
  return new UsersDirectory({ ttlMs: 60_000, timeoutMs: 2000, log: quietLog, hostAllowlist: allowlist, onHostFailure: (r) => reasons.push(r) });
}

describe('redirects are not followed', () => {
  it('a 302 to the metadata address is not followed: the call fails with reason redirect', async () => {
    const host = await localHost((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const err = await failure(get(host.url));
    expect(err.reason).toBe('redirect');
    expect(err.message).toMatch(/HTTP 302/);
    expect(err.message).not.toContain('169.254');
    const reasons: string[] = [];
    expect(await directory(reasons).get(widgetAt(host.url), '1')).toMatchObject({ status: 'unavailable', user: { name: 'User 1' } });
    expect(reasons).toEqual(['redirect']);
  });

  it('a 302 to another local port is not followed, and that port\'s answer is never used as profiles', async () => {
    const other = await localHost(json([{ user_id: 1, name: 'Mallory' }]));
    const host = await localHost((_req, res) => {
      res.writeHead(302, { location: `${other.url}?user_ids=1` });
      res.end();
    });
    const reasons: string[] = [];
    const lookup = await directory(reasons).get(widgetAt(host.url), '1');
    expect(lookup).toEqual({ status: 'unavailable', user: { user_id: '1', name: 'User 1', avatar_url: null, profile_url: null } });
    expect(other.connections).toBe(0);
    expect(reasons).toEqual(['redirect']);
  });

  it('every 3xx counts as a redirect, 301, 303, 307 and 308 too', async () => {
    for (const status of [301, 303, 307, 308]) {
      const host = await localHost((_req, res) => {
        res.writeHead(status, { location: '/elsewhere' });
        res.end();
      });
      expect((await failure(get(host.url))).reason, String(status)).toBe('redirect');
      expect(host.requests).toBe(1);
    }
  });
});

describe('the connected address is checked at connect time', () => {
  it('without the allowlist a host on 127.0.0.1 is refused before any connection is made', async () => {
    const host = await localHost(json([]));
    const err = await failure(get(host.url, { allowlist: NO_ALLOWLIST }));
    expect(err.reason).toBe('forbidden_address');
    expect(err.message).toMatch(/loopback/);
    expect(host.connections).toBe(0);
  });

  it('a name that resolves to loopback (localhost) is refused by its resolved address, with no connection', async () => {
    const host = await localHost(json([]));
    const reasons: string[] = [];
    // A stored URL that no configuration check saw: only the lookup guard stands between it and the host.
    const lookup = await directory(reasons, NO_ALLOWLIST).get(widgetAt(`http://localhost:${host.port}/users-info`), '1');
    expect(lookup.status).toBe('unavailable');
    expect(reasons).toEqual(['forbidden_address']);
    const err = await failure(get(`http://localhost:${host.port}/users-info`, { allowlist: NO_ALLOWLIST }));
    expect(err.message).toMatch(/localhost resolves to a forbidden address: 127\.0\.0\.1 is a loopback address/);
    expect(host.connections).toBe(0);
  });

  it('the same name is served once the allowlist covers what it resolves to', async () => {
    const host = await localHost(json([{ user_id: 1, name: 'Alice' }]));
    const answer = await get(`http://localhost:${host.port}/users-info`, { allowlist: parseHostAllowlist('127.0.0.0/8') });
    expect(JSON.parse(answer.body.toString())).toEqual([{ user_id: 1, name: 'Alice' }]);
  });

  it('decimal, hex, octal, short and IPv4-mapped spellings of 127.0.0.1 are refused without the allowlist, and reach the host with it', async () => {
    const host = await localHost(json([]));
    const spellings = ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0'];
    for (const h of spellings) {
      const err = await failure(get(`http://${h}:${host.port}/users-info`, { allowlist: NO_ALLOWLIST }));
      expect(err.reason, h).toBe('forbidden_address');
    }
    expect(host.connections).toBe(0);
    for (const h of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1']) {
      expect((await get(`http://${h}:${host.port}/users-info`)).status, h).toBe(200);
    }
    expect(host.requests).toBe(4);
  });

  it('non-http(s) URLs are refused before anything is dialled', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:70/', 'not a url']) {
      expect((await failure(get(url))).reason, url).toBe('bad_url');
    }
  });
});

describe('answers are bounded', () => {
  it('a 50 MB chunked answer is aborted at the cap: the host gets to write only a small part of it', async () => {
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    let closed!: () => void;
    const hostClosed = new Promise<void>((r) => (closed = r));
    const host = await localHost((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.once('close', closed);
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          // Honours backpressure, so `written` counts only what the client's reading let through.
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const reasons: string[] = [];
    const err = await failure(get(host.url));
    expect(err.reason).toBe('too_large');
    expect(err.message).toMatch(/larger than 2097152 bytes/);
    await hostClosed;
    // The cap (2 MB) plus what socket buffers hold; reading the answer whole would let all 50 MB through.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(await directory(reasons).get(widgetAt(host.url), '1')).toMatchObject({ status: 'unavailable' });
    expect(reasons).toEqual(['too_large']);
  });

  it('a Content-Length over the cap is refused before the body is read', async () => {
    const host = await localHost((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_ANSWER_BYTES + 1) });
      res.write('[');
    });
    expect((await failure(get(host.url))).reason).toBe('too_large');
  });

  it('a slow-drip answer times out as a whole, though a byte keeps arriving', async () => {
    let timer: NodeJS.Timeout | undefined;
    const host = await localHost((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      timer = setInterval(() => res.write(' '), 20);
      res.once('close', () => clearInterval(timer));
    });
    const err = await failure(get(host.url, { timeoutMs: 300 }));
    expect(err.reason).toBe('timeout');
    expect(err.message).toBe('no answer within 300 ms');
  });

  it('an answer header block over 16 KB is refused', async () => {
    const host = await localHost((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-padding': 'a'.repeat(20_000) });
      res.end('[]');
    });
    expect((await failure(get(host.url))).reason).toBe('too_large');
  });
});

describe('other failures carry their reason to onHostFailure', () => {
  it('refused (401), bad_status (500), invalid_answer (HTML), network (nothing listening)', async () => {
    const cases: Array<[(req: IncomingMessage, res: ServerResponse) => void, string]> = [
      [(_q, r) => void r.writeHead(401).end(), 'refused'],
      [(_q, r) => void r.writeHead(500).end('oops'), 'bad_status'],
      [(_q, r) => void r.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>'), 'invalid_answer'],
    ];
    const reasons: string[] = [];
    for (const [handle] of cases) {
      const host = await localHost(handle);
      await directory(reasons).get(widgetAt(host.url), '1');
    }
    const gone = await localHost(json([]));
    await gone.close();
    await directory(reasons).get(widgetAt(gone.url), '1');
    expect(reasons).toEqual([...cases.map(([, r]) => r), 'network']);
  });
});
