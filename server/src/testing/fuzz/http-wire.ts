// Sends fuzz requests to a real port (the server's own body reading, header limits and parser
// errors are part of what is under test) and judges each answer: no 5xx, and every error a JSON
// body of the one shape, with no stack trace and no token in it.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { ErrorCodes } from '../../realtime/protocol.ts';
import { within } from '../ws-client.ts';
import type { RequestCase } from './requests.ts';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Set when the connection failed before an answer arrived (ECONNRESET…). */
  failure?: string;
}

const MAX_READ = 1024 * 1024;
/** Below the server's own request timeout (30 s): a request still unanswered by then was dropped. */
const ANSWER_WITHIN_MS = 20_000;

/** A keep-alive client, as a browser keeps its connections: a request may land on one an earlier request left behind. */
export function createSender(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 24 });
  return {
    close: () => agent.destroy(),
    // No answer at all is a finding too, named instead of running into the test's timeout.
    send: (c: RequestCase) => within(sendOnce(agent, port, c), `no answer to ${c.method} ${c.path.slice(0, 200)}`, ANSWER_WITHIN_MS),
  };
}

function sendOnce(agent: Agent, port: number, c: RequestCase, retried = false): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...c.headers };
    // Node frames the body of a GET, HEAD, DELETE or OPTIONS only when told how.
    if (c.body) headers[c.chunked ? 'transfer-encoding' : 'content-length'] = c.chunked ? 'chunked' : c.body.length;
    // The server echoes some request headers (Origin): read answers as large as what may be sent.
    const req = request({ agent, host: '127.0.0.1', port, method: c.method, path: c.path, headers, maxHeaderSize: 64 * 1024 });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_READ) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', failure: err.message }));
    });
    req.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      // Sent again once on another connection when reset, as browsers do. Two races end so without
      // a fault of the server's: a kept-alive connection it closed as this request went out on it
      // (Node's docs advise a retry for req.reusedSocket), and a body the route answered without
      // reading that did not arrive within the 500 ms the Hono adapter drains it for before it
      // closes the connection (seen on a loaded machine, about one run in ten). A request that
      // is reset again is still a finding.
      if (code === 'ECONNRESET' && !retried) return void sendOnce(agent, port, c, true).then(resolve);
      resolve({ status: 0, headers: {}, body: '', failure: code ?? err.message });
    });
    req.end(c.body);
  });
}

/** Writes raw bytes on a connection of its own, half-closes it and reads whatever comes back. */
export function sendRaw(port: number, bytes: Buffer): Promise<{ statusLine: string; text: string }> {
  const answer = new Promise<{ statusLine: string; text: string }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ statusLine: text.split('\r\n')[0] ?? '', text });
    });
    socket.write(bytes, () => socket.end());
  });
  return within(answer, `no answer to the raw request ${JSON.stringify(bytes.subarray(0, 120).toString('latin1'))}`, ANSWER_WITHIN_MS);
}

const STACK = /\n\s+at |\\n\s+at |"stack"\s*:/;
const codes = new Set<string>(ErrorCodes);

/** Node's own answer to what its parser refuses: a status line, `Connection: close`, no body. */
function isNodeRefusal(a: Answer): boolean {
  return [400, 413, 414, 431].includes(a.status) && a.body === '' && a.headers['content-type'] === undefined;
}

/** What is wrong with an answer, in plain words; empty when nothing is. */
export function judgeAnswer(c: RequestCase, a: Answer, secrets: string[]): string[] {
  const problems: string[] = [];
  if (a.failure !== undefined) {
    if (!c.mayReset) problems.push(`the connection failed before an answer (${a.failure})`);
    return problems;
  }
  if (a.status >= 500) problems.push(`answered ${a.status}: ${a.body.slice(0, 300)}`);
  if (STACK.test(a.body)) problems.push('the body carries a stack trace');
  for (const s of secrets) if (a.body.includes(s)) problems.push('the body carries a token');
  if (a.status < 400 || c.method === 'HEAD' || isNodeRefusal(a)) return problems;
  let body: unknown;
  try {
    body = JSON.parse(a.body);
  } catch {
    problems.push(`a ${a.status} whose body is not JSON: ${JSON.stringify(a.body.slice(0, 200))}`);
    return problems;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const keys = body && typeof body === 'object' ? Object.keys(body) : [];
  if (!error || keys.length !== 1 || typeof error.message !== 'string' || error.message === '' || typeof error.code !== 'string' || !codes.has(error.code)) {
    problems.push(`a ${a.status} whose body is not {"error":{"code","message"}} with a known code: ${a.body.slice(0, 300)}`);
  }
  return problems;
}

/** A raw answer may be nothing (the server hung up on garbage) or a status line below 500. */
export function judgeRaw(answer: { statusLine: string; text: string }): string[] {
  if (answer.statusLine === '') return [];
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(answer.statusLine);
  if (!m) return [`an answer that is not HTTP: ${JSON.stringify(answer.text.slice(0, 100))}`];
  const problems: string[] = [];
  // A pipelined second request may be answered too: every status line counts.
  for (const s of answer.text.matchAll(/HTTP\/1\.[01] (\d{3})/g)) if (Number(s[1]) >= 500) problems.push(`answered ${s[1]}: ${answer.text.slice(0, 300)}`);
  if (STACK.test(answer.text)) problems.push('the answer carries a stack trace');
  return problems;
}

export function describeCase(c: RequestCase): string {
  const body = c.body ? (c.body.length > 300 ? `${c.body.subarray(0, 300).toString('utf8')}… (${c.body.length} bytes)` : c.body.toString('utf8')) : '';
  const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, v.length > 200 ? `${v.slice(0, 200)}… (${v.length})` : v]));
  return `${c.method} ${c.path.length > 300 ? `${c.path.slice(0, 300)}…` : c.path} ${JSON.stringify(headers)}${c.chunked ? ' chunked' : ''} ${JSON.stringify(body)}`;
}
