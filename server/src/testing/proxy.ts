// A real HTTP hop between a client and the server, under the test's control: each request is
// passed on, dropped (the connection is cut before the server sees it) or has its answer lost (the
// server handles it, then the connection is cut before the response). WebSocket upgrades are piped
// through untouched. Every request is recorded.
import { type IncomingMessage, type ServerResponse, createServer, request } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import type { Duplex } from 'node:stream';

export type ProxyAction = 'pass' | 'drop' | 'lose_answer';

export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
  action: ProxyAction;
  /** The server's status code, when it answered (pass and lose_answer). */
  status?: number;
  /** Whether the proxy is done with it: answered, or its connection cut. */
  done: boolean;
}

export interface Proxy {
  url: string;
  requests: ProxiedRequest[];
  /** Decides what happens to each request; everything passes until a test sets it. */
  route(req: { method: string; path: string; body: string }): ProxyAction;
  /** The first recorded request matching `match` once the proxy is done with it, waiting for it if needed. */
  seen(match: (r: ProxiedRequest) => boolean): Promise<ProxiedRequest>;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<Proxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Duplex>();
  const track = (s: Duplex) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const waiters = new Set<() => void>();
  const finish = (entry: ProxiedRequest) => {
    entry.done = true;
    for (const w of waiters) w();
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const seen = { method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8') };
      const entry: ProxiedRequest = { ...seen, action: proxy.route(seen), done: false };
      proxy.requests.push(entry);
      if (entry.action === 'drop') {
        req.socket.destroy();
        return finish(entry);
      }
      const upstream = request({ host: hostname, port, method: entry.method, path: entry.path, headers: req.headers }, (answer) => {
        entry.status = answer.statusCode;
        if (entry.action === 'lose_answer') {
          answer.resume();
          answer.once('end', () => {
            req.socket.destroy();
            finish(entry);
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        res.once('finish', () => finish(entry));
      });
      upstream.once('error', () => {
        req.socket.destroy();
        finish(entry);
      });
      upstream.end(body);
    });
  };

  const onUpgrade = (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    const server: Socket = connect(Number(port), hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      server.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) server.write(head);
      client.pipe(server).pipe(client);
    });
    track(server);
    server.once('error', () => client.destroy());
    client.once('error', () => server.destroy());
    server.once('close', () => client.destroy());
    client.once('close', () => server.destroy());
  };

  const http = createServer(onRequest);
  http.on('upgrade', onUpgrade);
  http.on('connection', track);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));

  const proxy: Proxy = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    requests: [],
    route: () => 'pass',
    seen(match) {
      return new Promise((resolve) => {
        const check = () => {
          const found = proxy.requests.find((r) => r.done && match(r));
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return proxy;
}
