// Reference server for `pnpm bench`: Socket.IO with one room per user; an HTTP POST is emitted to
// the recipients' rooms. No storage. The "popular library" yardstick next to the bare ws forwarder.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { readBody } from './read-body.ts';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
let nextId = 1;

const server = createServer();
server.keepAliveTimeout = 60_000;
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });

async function handle(req: IncomingMessage, res: ServerResponse) {
  if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok');
  if (req.method !== 'POST' || req.url !== '/send') return void res.writeHead(404).end();
  const body = JSON.parse(await readBody(req)) as { to: number[]; from: number; text: string };
  const message = { id: nextId++, sender_id: String(body.from), text: body.text, created_at: new Date().toISOString() };
  io.to(body.to.map((id) => `u:${id}`)).emit('message.new', { type: 'message.new', message });
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(message));
}

// Socket.IO only claims its own path, so the rest of the HTTP traffic is ours.
server.on('request', (req, res) => {
  if (req.url?.startsWith('/socket.io/')) return;
  handle(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(400).end();
  });
});

io.on('connection', (socket) => {
  const userId = (socket.handshake.auth as { user_id?: unknown }).user_id;
  if (userId === undefined) return void socket.disconnect(true);
  void socket.join(`u:${String(userId)}`);
  socket.emit('ready');
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
