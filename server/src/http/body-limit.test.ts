// The 64 KiB body cap on a kept-alive connection: the refusal arrives, and the connection keeps
// serving the client's next request (found by the fuzz suite: a chunked body over the cap got its
// 413, then the next request on the connection hung and was reset).
import { Agent, type ClientRequest, request } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Env, createEnv } from '../testing/harness.ts';

let env: Env;
let token: string;
let dialogId: number;
beforeAll(async () => {
  env = await createEnv();
  const w = env.widgets[0]!;
  token = await w.token(1);
  dialogId = (await env.api(w, token).post('/dialogs', { user_id: 2 })).body.id;
});
afterAll(() => env.close());

function send(agent: Agent, method: string, path: string, body?: { bytes: Buffer; chunked: boolean }): Promise<{ status: number; code?: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    if (body) headers[body.chunked ? 'transfer-encoding' : 'content-length'] = body.chunked ? 'chunked' : body.bytes.length;
    const req: ClientRequest = request({ agent, host: '127.0.0.1', port: env.server.port, method, path: `/api/v1/${env.widgets[0]!.devId}${path}`, headers });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: JSON.parse(text).error?.code, socket: req.socket! }));
    });
    req.on('error', reject);
    req.end(body?.bytes);
  });
}

it.each([
  ['chunked', true],
  ['with a Content-Length', false],
])('a body over 64 KiB sent %s gets 413 and the same connection serves the next request', async (_how, chunked) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const big = Buffer.from(JSON.stringify({ text: 'x'.repeat(200_000) }));
    const refused = await send(agent, 'POST', `/dialogs/${dialogId}/messages`, { bytes: big, chunked });
    expect([refused.status, refused.code]).toEqual([413, 'payload_too_large']);
    const next = await send(agent, 'GET', '/me');
    expect(next.status).toBe(200);
    expect(next.socket).toBe(refused.socket);
  } finally {
    agent.destroy();
  }
});
