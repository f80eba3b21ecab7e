// A real host site for tests: a users-info endpoint behind HTTP Basic auth whose behaviour the
// test switches (healthy, down, slow, failing, HTML, wrong shape), recording every request.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type HostMode = 'ok' | 'slow' | 'error500' | 'html' | 'wrong_shape' | 'unauthorized';

export interface HostUser {
  user_id: number | string;
  name: string;
  avatar_url?: string | false;
  profile_url?: string;
  [extra: string]: unknown;
}

export interface HostRequest {
  ids: string[];
  authorization: string | undefined;
  rawQuery: string;
}

export interface HostSite {
  url: string;
  login: string;
  password: string;
  mode: HostMode;
  users: Map<string, HostUser>;
  requests: HostRequest[];
  /** Closes the listening socket so requests are refused, as when the host is down. */
  stop(): Promise<void>;
}

export async function startHostSite(users: HostUser[], login = 'chat-bot', password = 'pa:ss wörd'): Promise<HostSite> {
  const sockets = new Set<Socket>();
  const site: HostSite = {
    url: '',
    login,
    password,
    mode: 'ok',
    users: new Map(users.map((u) => [String(u.user_id), u])),
    requests: [],
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const expected = `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const rawQuery = url.search;
    const ids = (url.searchParams.get('user_ids') ?? '').split(',').filter(Boolean);
    site.requests.push({ ids, authorization: req.headers.authorization, rawQuery });
    if (req.headers.authorization !== expected || site.mode === 'unauthorized') {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Backend"', 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 401, error: 'Authenticate required!' }));
      return;
    }
    switch (site.mode) {
      case 'slow':
        return; // never answers; the server's timeout must fire
      case 'error500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Maintenance</title><h1>Back soon</h1>');
        return;
      case 'wrong_shape':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ users: ids.map((id) => ({ id, title: 'x' })) }));
        return;
      default: {
        const found = ids.flatMap((id) => (site.users.has(id) ? [site.users.get(id)!] : []));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(found));
      }
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/users-info`;
  return site;
}
