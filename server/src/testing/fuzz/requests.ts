// Generated malformed HTTP requests against every route of the server: odd methods, paths with
// encoded garbage, bad query parameters, missing, garbage, expired and other widgets' tokens, bad
// JSON, wrong types, oversized bodies, invalid UTF-8 and bad Content-Types.
import fc from 'fast-check';
import { hostileId, hostileJson, hostileNumber, hostileString, jsonText, pathSafe } from './values.ts';

/** What the generated requests aim at: a real widget, a real dialog and a pool of tokens by name. */
export interface RestWorld {
  devId: string;
  otherDevId: string;
  dialogId: number;
  /** A group of the `valid` token's user (its owner, at first). */
  groupId: number;
  messageId: number;
  /** Signed, expired, foreign and broken tokens by name; `valid` is a member of dialogId. */
  tokens: Record<string, string>;
}

export interface RequestCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked: boolean;
  /** The server may answer and close before the whole request is written (oversized body or header). */
  mayReset: boolean;
}

const ROUTE_METHODS = ['GET', 'POST', 'OPTIONS', 'HEAD'];
const ODD_METHODS = ['PUT', 'PATCH', 'DELETE', 'TRACE', 'PROPFIND', 'M-SEARCH', 'SEARCH', 'LINK', 'PURGE', 'QUERY', 'FOO', 'get', 'Post'];

/** A header value Node will put on the wire: the string's UTF-8 bytes as Latin-1, without control characters. */
export function headerSafe(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1').replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
}

function segment(world: RestWorld, real: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(real), weight: 16 },
    { arbitrary: hostileString.map(pathSafe), weight: 2 },
    { arbitrary: hostileNumber.map((n) => pathSafe(String(n))), weight: 1 },
    { arbitrary: fc.constantFrom('%', '%Z', '%ZZ', '%00', '%ED%A0%80', '%C0%AF', '%2e%2e', '..', '.', '%2F', '%252F', world.otherDevId, '0', '-1', '007', '1.0', '1e3', '0x1'), weight: 2 },
  );
}

const queryKey = fc.oneof(fc.constantFrom('limit', 'cursor', 'before', 'after', 'user_ids', 'limit[]', 'cursor[a]', 'exp', 'sig'), hostileString.map(pathSafe));
const queryValue = fc.oneof(
  fc.constantFrom('', '1', '30', '50', '100', '101', '0', '-1', '1.5', '1e2', 'x', '%', '%ZZ', '%ED%A0%80', '9007199254740993', '99999999999999999999'),
  hostileNumber.map((n) => pathSafe(String(n))),
  hostileString.map(pathSafe),
);
const query: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  { arbitrary: fc.array(fc.tuple(queryKey, queryValue), { minLength: 1, maxLength: 4 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`), weight: 4 },
  { arbitrary: fc.constantFrom('?', '?&&&', '?=', '?limit', '?limit=1&limit=2', '?limit=5&before=3&after=1', '?cursor=%00'), weight: 1 },
);

type BodyKind = 'none' | 'dialog' | 'message' | 'read' | 'members' | 'patch' | 'role' | 'mute' | 'upload';

/** Paths under /api/v1/{dev_id}, each with the method it is meant for. */
function apiRoute(world: RestWorld): fc.Arbitrary<{ path: string; method: string; body: BodyKind }> {
  const dialog = segment(world, String(world.dialogId));
  // Group management, on the group and (not_a_group) on the direct dialog.
  const anyDialog = fc.oneof(segment(world, String(world.groupId)), dialog);
  const member = fc.oneof(segment(world, '2'), segment(world, '1'), hostileId.map((id) => pathSafe(String(id))));
  return fc.oneof(
    anyDialog.map((d) => ({ path: `/dialogs/${d}`, method: 'PATCH', body: 'patch' as const })),
    anyDialog.map((d) => ({ path: `/dialogs/${d}/members`, method: 'POST', body: 'members' as const })),
    fc.tuple(anyDialog, member).map(([d, u]) => ({ path: `/dialogs/${d}/members/${u}`, method: 'DELETE', body: 'none' as const })),
    fc.tuple(anyDialog, member).map(([d, u]) => ({ path: `/dialogs/${d}/members/${u}/role`, method: 'PUT', body: 'role' as const })),
    anyDialog.map((d) => ({ path: `/dialogs/${d}/leave`, method: 'POST', body: 'none' as const })),
    anyDialog.map((d) => ({ path: `/dialogs/${d}/mute`, method: 'PUT', body: 'mute' as const })),
    fc.tuple(anyDialog, segment(world, String(world.messageId))).map(([d, m]) => ({ path: `/dialogs/${d}/messages/${m}/read-by`, method: 'GET', body: 'none' as const })),
    fc.constant({ path: '/me', method: 'GET', body: 'none' as const }),
    fc.constant({ path: '/uploads', method: 'POST', body: 'upload' as const }),
    segment(world, 'A'.repeat(22)).map((u) => ({ path: `/uploads/${u}`, method: 'GET', body: 'none' as const })),
    fc.constant({ path: '/dialogs', method: 'GET', body: 'none' as const }),
    fc.constant({ path: '/dialogs', method: 'POST', body: 'dialog' as const }),
    dialog.map((d) => ({ path: `/dialogs/${d}`, method: 'GET', body: 'none' as const })),
    dialog.map((d) => ({ path: `/dialogs/${d}/messages`, method: 'GET', body: 'none' as const })),
    dialog.map((d) => ({ path: `/dialogs/${d}/messages`, method: 'POST', body: 'message' as const })),
    dialog.map((d) => ({ path: `/dialogs/${d}/read`, method: 'POST', body: 'read' as const })),
    fc.tuple(dialog, hostileString.map(pathSafe)).map(([d, s]) => ({ path: `/dialogs/${d}/${s}`, method: 'POST', body: 'message' as const })),
    fc.constantFrom('/ws', '/', '', '//dialogs', '/dialogs/', '/me/', '/dialogs//messages', '/%2e%2e/me').map((path) => ({ path, method: 'GET', body: 'none' as const })),
  );
}

/** Every other path the server answers: operations endpoints, the widget script and its assets, and garbage. */
function otherPath(world: RestWorld): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('/healthz', '/readyz', '/metrics', '/', '/favicon.ico', '/api', '/api/v1', '/api/v1/', '/api/v2/x/me', '*', '/%', '//', '/..%2f..%2fetc/passwd'),
    segment(world, world.devId).map((d) => `/imbachat/v1/${d}/widget`),
    fc.tuple(segment(world, world.devId), segment(world, 'A'.repeat(22)), fc.constantFrom('', '/thumb', '/x', '/thumb/')).map(([d, u, v]) => `/files/v1/${d}/${u}${v}`),
    fc.oneof(fc.constantFrom('loader.js', 'x.js', '.js', '..js', 'a.map', 'a.css'), hostileString.map(pathSafe)).map((n) => `/imbachat/v1/assets/${n}`),
    hostileString.map((s) => `/${pathSafe(s)}`),
  );
}

function bodyValue(world: RestWorld, kind: BodyKind): fc.Arbitrary<unknown> {
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
  const shaped: Record<typeof kind, fc.Arbitrary<unknown>> = {
    none: hostileJson,
    dialog: fc.oneof(
      fc.record({ user_id: hostileId }, { requiredKeys: [] }),
      fc.record({ type: fc.oneof(fc.constantFrom('direct', 'group', 'GROUP', ''), hostileJson), user_id: maybe(hostileId) }),
      fc.record({
        type: fc.constant('group'),
        title: maybe(fc.oneof(hostileString, hostileJson)),
        user_ids: maybe(fc.oneof(fc.array(hostileId, { maxLength: 8 }), fc.nat({ max: 700 }).map((n) => Array.from({ length: n }, (_, i) => i)), hostileJson)),
      }),
    ),
    message: fc.record({
      text: maybe(fc.oneof({ arbitrary: hostileString, weight: 4 }, hostileJson)),
      client_msg_id: maybe(fc.oneof({ arbitrary: hostileString, weight: 3 }, hostileJson)),
    }),
    read: fc.record({ message_id: maybe(fc.oneof(fc.constant(world.messageId), hostileId)) }),
    members: fc.record({ user_ids: maybe(fc.oneof(fc.array(fc.oneof(fc.constantFrom(1, 2, 3, 'x-9'), hostileId), { maxLength: 8 }), hostileJson)) }),
    patch: fc.record(
      {
        title: fc.oneof(hostileString, hostileJson),
        avatar_url: fc.oneof(fc.constantFrom('https://img.example/a.png', 'javascript:alert(1)', 'http://', null), hostileString, hostileJson),
        history: fc.oneof(fc.constantFrom('all', 'from_join', 'ALL'), hostileJson),
      },
      { requiredKeys: [] },
    ),
    role: fc.record({ role: maybe(fc.oneof(fc.constantFrom('owner', 'admin', 'member', 'Admin'), hostileJson)) }),
    mute: fc.record({ muted: maybe(fc.oneof(fc.boolean(), hostileJson)) }),
    upload: hostileJson,
  };
  return fc.oneof({ arbitrary: shaped[kind], weight: 4 }, hostileJson);
}

/**
 * A multipart form with boundary `x` (the Content-Type uploads are sent with): hostile field
 * names, file names and part types around content that is a PDF, a page, bytes or nothing, and
 * forms cut short or without their closing boundary.
 */
const multipart: fc.Arbitrary<{ bytes: Buffer; oversized: boolean }> = fc
  .record({
    field: fc.oneof({ arbitrary: fc.constant('file'), weight: 6 }, hostileString.map(headerSafe)),
    name: fc.oneof(fc.constantFrom('a.pdf', '../../etc/passwd', 'x.png', 'evil\u202egnp.exe', '', '%22%0A'), hostileString),
    type: fc.oneof(fc.constantFrom('application/pdf', 'text/html', 'image/png', '', 'x'), hostileString.map(headerSafe)),
    content: fc.oneof(fc.constantFrom('%PDF-1.4\n%%EOF', '<html><script>1</script>', '\u0089PNG\r\n\u001a\n', ''), hostileString),
    end: fc.constantFrom('\r\n--x--\r\n', '', '\r\n--x', '--x--', '\r\n--y--\r\n'),
    parts: fc.integer({ min: 1, max: 3 }),
  })
  .map((p) => {
    const part = `--x\r\nContent-Disposition: form-data; name="${p.field}"; filename="${p.name}"\r\nContent-Type: ${p.type}\r\n\r\n${p.content}`;
    return { bytes: Buffer.from(Array.from({ length: p.parts }, () => part).join('\r\n') + p.end, 'utf8'), oversized: false };
  });

/** The body as bytes: JSON text (well formed or not), invalid UTF-8, empty, or far past the 64 KiB cap. */
function bodyBytes(world: RestWorld, kind: BodyKind): fc.Arbitrary<{ bytes: Buffer; oversized: boolean } | undefined> {
  if (kind === 'upload') return fc.oneof({ arbitrary: multipart, weight: 6 }, bodyBytes(world, 'none'));
  const text = jsonText(bodyValue(world, kind));
  return fc.oneof(
    { arbitrary: text.map((t) => ({ bytes: Buffer.from(t, 'utf8'), oversized: false })), weight: 12 },
    {
      arbitrary: fc
        .tuple(text, fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]))
        .map(([t, bad]) => ({ bytes: Buffer.concat([Buffer.from(t.slice(0, -2), 'utf8'), Buffer.from(bad), Buffer.from(t.slice(-2), 'utf8')]), oversized: false })),
      weight: 2,
    },
    { arbitrary: fc.constant(undefined), weight: 2 },
    {
      arbitrary: fc.integer({ min: 64 * 1024 - 16, max: 300 * 1024 }).map((n) => ({ bytes: Buffer.from(`{"text":"${'x'.repeat(n)}"}`), oversized: n + 11 > 64 * 1024 })),
      weight: 1,
    },
  );
}

function authorization(world: RestWorld): fc.Arbitrary<string | undefined> {
  const names = Object.keys(world.tokens).filter((n) => n !== 'valid');
  const token = fc.oneof({ arbitrary: fc.constant(world.tokens.valid!), weight: 8 }, { arbitrary: fc.constantFrom(...names).map((n) => world.tokens[n]!), weight: 3 });
  return fc.oneof(
    { arbitrary: token.map((t) => `Bearer ${t}`), weight: 14 },
    { arbitrary: fc.constant(undefined), weight: 2 },
    {
      arbitrary: fc
        .tuple(token, fc.constantFrom('bearer %t', 'BEARER  %t  ', 'Bearer %t extra', 'Bearer\t%t', 'Basic %t', '%t', 'Bearer', 'Bearer ', 'Bearer %t,%t', 'Token %t'))
        .map(([t, f]) => f.replaceAll('%t', t)),
      weight: 2,
    },
    { arbitrary: hostileString.map((s) => headerSafe(`Bearer ${s}`)), weight: 2 },
  );
}

const contentType = fc.constantFrom(
  undefined, 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/json; charset=utf-16', 'application/json; charset=latin1', '*/*', ';;;', 'application/json\u00ff',
);

function extraHeaders(): fc.Arbitrary<Record<string, string>> {
  const value = hostileString.map(headerSafe);
  const headers = fc.record(
    {
      origin: fc.oneof(fc.constantFrom('https://evil.example', 'null', 'http://localhost', 'file://'), value),
      'accept-encoding': fc.oneof(fc.constantFrom('br;q=0, gzip;q=NaN, *;q=2', 'identity;q=0', '*'), value),
      'if-none-match': fc.oneof(fc.constantFrom('*', 'W/"x"', '"'), value),
      'x-forwarded-for': fc.oneof(fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', 'unknown', ''), value),
      'x-request-id': value,
      'access-control-request-method': fc.constantFrom('POST', 'DELETE', ''),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, string>>;
  // A head over the server's 16 KiB limit is its own rare case; most requests stay well under it.
  const big = fc.integer({ min: 17 * 1024, max: 40 * 1024 }).map((n) => ({ 'x-big': 'a'.repeat(n) }));
  return fc.oneof({ arbitrary: headers, weight: 40 }, { arbitrary: big, weight: 1 });
}

export function requestCase(world: RestWorld): fc.Arbitrary<RequestCase> {
  const api = fc.tuple(segment(world, world.devId), apiRoute(world), query).map(([dev, r, q]) => ({ ...r, path: `/api/v1/${dev}${r.path}${q}` }));
  const other = fc.tuple(otherPath(world), query).map(([p, q]) => ({ path: p === '*' ? p : `${p}${q}`, method: 'GET', body: 'none' as const }));
  const target = fc.oneof({ arbitrary: api, weight: 12 }, { arbitrary: other, weight: 1 });
  return target.chain((t) =>
    fc
      .record({
        method: fc.oneof({ arbitrary: fc.constant(t.method), weight: 12 }, { arbitrary: fc.constantFrom(...ROUTE_METHODS, ...ODD_METHODS), weight: 2 }),
        body: t.body === 'none' ? fc.option(bodyBytes(world, 'none'), { nil: undefined, freq: 6 }) : bodyBytes(world, t.body),
        authorization: authorization(world),
        contentType: t.body === 'upload' ? fc.oneof({ arbitrary: fc.constant('multipart/form-data; boundary=x'), weight: 6 }, contentType) : contentType,
        extra: fc.option(extraHeaders(), { nil: {}, freq: 3 }),
        chunked: fc.boolean(),
      })
      .map(({ method, body, authorization, contentType, extra, chunked }) => {
        const headers: Record<string, string> = { ...extra };
        if (authorization !== undefined) headers.authorization = authorization;
        if (contentType !== undefined) headers['content-type'] = contentType;
        // A GET or HEAD with a body is legal HTTP but not something the routes read; keep most of them bodiless.
        const sendsBody = body !== undefined && (method !== 'GET' && method !== 'HEAD' ? true : chunked);
        return {
          method,
          path: t.path || '/',
          headers,
          ...(sendsBody ? { body: body.bytes } : {}),
          chunked: sendsBody && chunked,
          mayReset: (sendsBody && body.oversized) || 'x-big' in headers,
        };
      }),
  );
}

/**
 * Bytes no HTTP client would send: broken request lines, bad header syntax, conflicting lengths
 * (request smuggling shapes), bad chunk sizes, NULs. Each goes over a connection of its own.
 */
export function rawRequest(world: RestWorld): fc.Arbitrary<Buffer> {
  const p = `/api/v1/${world.devId}`;
  const auth = `Authorization: Bearer ${world.tokens.valid}\r\n`;
  return fc.oneof(
    fc.constantFrom(
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      `GET ${p}/me\r\n\r\n`,
      `GET ${p}/me HTTP/9.9\r\nHost: x\r\n\r\n`,
      `GET ${p}/me HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`,
      `GET ${p}/me HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n`,
      `GET ${p}/me HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n`,
      `GET ${p}/me HTTP/1.1\r\nHost: x\r\n${auth}Authorization: Bearer other\r\n\r\n`,
      `POST ${p}/dialogs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":1}`,
      `POST ${p}/dialogs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST ${p}/dialogs HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
      `POST ${p}/dialogs HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
      `POST ${p}/dialogs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: -1\r\n\r\n`,
      `POST ${p}/dialogs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 99999999999999999999\r\n\r\n`,
      `POST ${p}/dialogs HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\n\r\n{}GET / HTTP/1.1\r\n\r\n`,
      `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET ${p}/me?${'%'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET ${p}/dialogs/\u00ff\u00fe/messages HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
      `\r\n\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
      `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`,
    ).map((s) => Buffer.from(s, 'latin1')),
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)),
    fc.tuple(fc.string({ unit: 'binary-ascii', maxLength: 60 })).map(([s]) => Buffer.from(`GET ${p}/me HTTP/1.1\r\nHost: x\r\n${s}\r\n\r\n`, 'latin1')),
  );
}
