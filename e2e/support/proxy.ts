// A TCP proxy the test controls, standing between a browser and the chat server: `drop()` resets
// every open connection and turns new ones away until `restore()`, like a network that goes away.
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface Proxy {
  url: string;
  /** Connections turned away while down. */
  readonly refused: number;
  drop(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(target: URL): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let up = true;
  let refused = 0;
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    if (!up) {
      refused++;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    track(client);
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get refused() {
      return refused;
    },
    drop() {
      up = false;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() {
      up = true;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
