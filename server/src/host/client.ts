// The one way the server calls a host site: GET over http(s), the connected address checked at
// connect time, no redirects, the answer capped while it streams, one deadline for the whole call.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { type HostAllowlist, addressProblem, nameProblem } from './address.ts';

/**
 * Why a host call failed, as counted by /metrics and shown to operators:
 * timeout (no whole answer within the deadline), redirect (any 3xx: never followed),
 * forbidden_address (the URL or the resolved address is not allowed), too_large (the answer passed
 * the cap), refused (HTTP 401/403: our credentials), bad_status (any other non-2xx),
 * invalid_answer (not the expected JSON; set by the caller), network (DNS, connect, reset),
 * bad_url (not an http(s) URL).
 */
export type HostFailureReason =
  | 'timeout'
  | 'redirect'
  | 'forbidden_address'
  | 'too_large'
  | 'refused'
  | 'bad_status'
  | 'invalid_answer'
  | 'network'
  | 'bad_url';

export class HostCallError extends Error {
  override name = 'HostCallError';
  constructor(
    readonly reason: HostFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface HostGetOptions {
  allowlist: HostAllowlist;
  /** Deadline for connect + headers + the whole body. */
  timeoutMs: number;
  maxBytes: number;
  headers?: Record<string, string>;
}

export interface HostAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Host answers are small JSON; a header block larger than this is not one. */
const MAX_HEADER_BYTES = 16 * 1024;
const FORBIDDEN = 'EIMBACHAT_FORBIDDEN_ADDRESS';

/** A DNS lookup that fails when any address the name resolves to is not allowed. */
function guardedLookup(allow: HostAllowlist): LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      // Every address must pass, not just one: a name answering both a public and a private
      // address would otherwise reach the private one whenever the connect falls back to it.
      for (const a of addresses) {
        const problem = addressProblem(a.address, allow);
        if (problem) {
          const refused = Object.assign(new Error(`${hostname} resolves to a forbidden address: ${problem}`), { code: FORBIDDEN });
          return callback(refused, '', 0);
        }
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** Checks what can be checked before connecting: the scheme, a literal address, a metadata name. */
function target(url: string, allow: HostAllowlist): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HostCallError('bad_url', 'the URL is not valid');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new HostCallError('bad_url', 'the URL is not http(s)');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  // Node connects to a literal address without a lookup, so the guard in the lookup never sees it.
  const problem = isIP(host) ? addressProblem(host, allow) : nameProblem(host);
  if (problem) throw new HostCallError('forbidden_address', `the address is not allowed: ${problem}`);
  return u;
}

function networkError(err: unknown): HostCallError {
  if (err instanceof HostCallError) return err;
  const code = (err as { code?: string })?.code;
  if (code === FORBIDDEN) return new HostCallError('forbidden_address', `the address is not allowed: ${(err as Error).message}`);
  if (code === 'HPE_HEADER_OVERFLOW') return new HostCallError('too_large', `the answer's headers are larger than ${MAX_HEADER_BYTES} bytes`);
  return new HostCallError('network', `the request failed (${code ?? (err as Error)?.message ?? 'unknown error'})`);
}

/**
 * GETs `url`. Resolves with a 2xx answer read whole (at most `maxBytes`); rejects with a
 * HostCallError for everything else, a 3xx included: a redirect is the host's answer, and
 * following it would let the host point the server at an address it could not name itself.
 */
export function hostGet(url: string, o: HostGetOptions): Promise<HostAnswer> {
  return new Promise<HostAnswer>((resolve, reject) => {
    let u: URL;
    try {
      u = target(url, o.allowlist);
    } catch (err) {
      return reject(err);
    }
    let settled = false;
    let req: http.ClientRequest | undefined;
    const deadline = setTimeout(() => finish(new HostCallError('timeout', `no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    function finish(err: HostCallError | null, answer?: HostAnswer) {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) {
        req?.destroy();
        reject(err);
      } else resolve(answer!);
    }
    const options: http.RequestOptions = {
      protocol: u.protocol,
      hostname: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port || undefined,
      path: `${u.pathname}${u.search}`,
      method: 'GET',
      headers: o.headers,
      lookup: guardedLookup(o.allowlist),
      maxHeaderSize: MAX_HEADER_BYTES,
      // A connection of its own per call: nothing pooled outlives the deadline.
      agent: false,
    };
    try {
      req = (u.protocol === 'https:' ? https.request : http.request)(options, (res) => onResponse(res, o, finish));
    } catch (err) {
      // Node refuses some paths and header values synchronously (a control character, say).
      return finish(new HostCallError('bad_url', `the request could not be made (${(err as Error).message})`));
    }
    // `on`, not `once`: destroying the request may emit another error after the first was handled.
    req.on('error', (err) => finish(networkError(err)));
    req.end();
  });
}

function onResponse(res: IncomingMessage, o: HostGetOptions, finish: (err: HostCallError | null, answer?: HostAnswer) => void): void {
  const status = res.statusCode ?? 0;
  const fail = (err: HostCallError) => {
    res.destroy();
    finish(err);
  };
  if (status >= 300 && status < 400) {
    return fail(new HostCallError('redirect', `the host answered HTTP ${status} (a redirect); redirects are not followed: configure the final URL`, status));
  }
  if (status === 401 || status === 403) return fail(new HostCallError('refused', `the host answered HTTP ${status} to our credentials`, status));
  if (status < 200 || status >= 300) return fail(new HostCallError('bad_status', `the host answered HTTP ${status}`, status));
  const tooLarge = () => new HostCallError('too_large', `the answer is larger than ${o.maxBytes} bytes`);
  if (Number(res.headers['content-length'] ?? 0) > o.maxBytes) return fail(tooLarge());
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    // Stop reading the moment the cap is passed, whatever Content-Length said (chunked has none).
    if (size > o.maxBytes) return fail(tooLarge());
    chunks.push(chunk);
  });
  res.once('end', () => finish(null, { status, headers: res.headers, body: Buffer.concat(chunks, size) }));
  res.on('error', (err) => fail(networkError(err)));
  res.once('close', () => {
    if (!res.complete) fail(new HostCallError('network', 'the host closed the connection in the middle of its answer'));
  });
}
