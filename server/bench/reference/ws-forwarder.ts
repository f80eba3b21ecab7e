// Reference server for `pnpm bench`: the least a chat relay can do — an HTTP POST fanned out to the
// recipients' WebSockets, with no auth check, no storage and no ordering. The bench's floor.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { readBody } from './read-body.ts';
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 0);
const sockets = new Map<string, Set<WebSocket>>();
let nextId = 1;

async function handle(req: IncomingMessage, res: ServerResponse) {
  if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok');
  if (req.method !== 'POST' || req.url !== '/send') return void res.writeHead(404).end();
  const body = JSON.parse(await readBody(req)) as { to: number[]; from: number; text: string };
  const message = { id: nextId++, sender_id: String(body.from), text: body.text, created_at: new Date().toISOString() };
  // Serialised once per message, as any fan-out worth comparing against would.
  const frame = JSON.stringify({ type: 'message.new', message });
  for (const to of body.to) for (const ws of sockets.get(String(to)) ?? []) ws.send(frame);
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(message));
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(400).end();
  });
});
// Keep-alive sockets from the load workers must outlive the default 5 s idle timeout between steps.
server.keepAliveTimeout = 60_000;

const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  let userId: string | null = null;
  ws.on('message', (data) => {
    if (userId !== null) return;
    const f = JSON.parse(data.toString()) as { type?: string; token?: string };
    if (f.type !== 'auth' || !f.token) return void ws.close(4001, 'auth');
    userId = f.token;
    let set = sockets.get(userId);
    if (!set) sockets.set(userId, (set = new Set()));
    set.add(ws);
    ws.send(JSON.stringify({ type: 'ready' }));
  });
  ws.on('close', () => {
    if (userId !== null) sockets.get(userId)?.delete(ws);
  });
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
