// Serves the widget bundle from widget/dist: the loader at /imbachat/v1/{dev_id}/widget (short
// cache, ETag) and its content-hashed chunks at /imbachat/v1/assets/{name} (cached for a year).
// Files are read once, compressed with brotli and gzip (or the build's smaller gzip copy beside
// them is taken), and kept in memory until they change. Compression runs on libuv's thread pool:
// brotli's best level takes 170 ms for the later chunk, which once blocked every socket of a
// starting server (and the request that found a new build) that long.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gunzip, gzip } from 'node:zlib';
import { Hono, type Context } from 'hono';

export interface AssetDeps {
  /** Resolves to true when a widget with this dev_id exists. */
  widgetExists(devId: string): Promise<boolean>;
  /** Where the widget build is; defaults to widget/dist of this repository. */
  distDir?: string;
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../widget/dist', import.meta.url));

/** The loader may change on deploy, so browsers check back every few minutes (cheaply, via ETag). */
const LOADER_CACHE = 'public, max-age=300, stale-while-revalidate=86400';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(?:js|css|map)$/;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

interface Entry {
  mtimeMs: number;
  size: number;
  type: string;
  etag: string;
  identity: Uint8Array;
  gzip: Uint8Array;
  br: Uint8Array;
}

type Encoding = 'br' | 'gzip' | 'identity';

export function createAssetRoutes(deps: AssetDeps): Hono {
  const dist = deps.distDir ?? DEFAULT_DIST_DIR;
  const cache = new Map<string, Entry>();
  /** Loads under way, by path: requests that come meanwhile share them. */
  const loading = new Map<string, Promise<Entry | null>>();

  function load(path: string): Promise<Entry | null> {
    let p = loading.get(path);
    if (!p) {
      p = read(path).finally(() => loading.delete(path));
      loading.set(path, p);
    }
    return p;
  }

  async function read(path: string): Promise<Entry | null> {
    let info;
    try {
      info = await stat(path);
    } catch {
      return null;
    }
    if (!info.isFile()) return null;
    const known = cache.get(path);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
    const bytes = new Uint8Array(await readFile(path));
    const ext = path.slice(path.lastIndexOf('.') + 1);
    const entry: Entry = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      type: TYPES[ext] ?? 'application/octet-stream',
      etag: `W/"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
      identity: bytes,
      gzip: (await precompressed(path, info.mtimeMs, bytes)) ?? new Uint8Array(await gzipAsync(bytes, { level: 9 })),
      br: new Uint8Array(
        await brotliAsync(bytes, {
          params: {
            [zlib.BROTLI_PARAM_QUALITY]: 11,
            [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
            [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        }),
      ),
    };
    cache.set(path, entry);
    return entry;
  }

  // Compress everything once at start, off the request path; a missing build is reported on request.
  void (async () => {
    try {
      const names = await readdir(join(dist, 'assets'));
      await load(join(dist, 'loader.js'));
      for (const name of names) if (ASSET_NAME.test(name)) await load(join(dist, 'assets', name));
    } catch {
      // no build yet
    }
  })();

  function send(c: Context, entry: Entry, cacheControl: string): Response {
    const headers = new Headers({
      'Content-Type': entry.type,
      'Cache-Control': cacheControl,
      ETag: entry.etag,
      Vary: 'Accept-Encoding',
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
    });
    if (matches(c.req.header('If-None-Match'), entry.etag)) return new Response(null, { status: 304, headers });
    const encoding = pickEncoding(c.req.header('Accept-Encoding'));
    const body = encoding === 'br' ? entry.br : encoding === 'gzip' ? entry.gzip : entry.identity;
    if (encoding !== 'identity') headers.set('Content-Encoding', encoding);
    headers.set('Content-Length', String(body.byteLength));
    return new Response(c.req.method === 'HEAD' ? null : body, { status: 200, headers });
  }

  function notBuilt(c: Context): Response {
    return c.json(
      {
        error: {
          code: 'widget_not_built',
          message: 'The widget bundle has not been built: run `pnpm --filter @imbachat/widget build` and reload.',
        },
      },
      503,
      { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' },
    );
  }

  return new Hono()
    .get('/imbachat/v1/assets/:name', async (c) => {
      const name = c.req.param('name');
      const entry = ASSET_NAME.test(name) ? await load(join(dist, 'assets', name)) : null;
      if (!entry) {
        return c.json({ error: { code: 'not_found', message: `No widget asset named ${name}.` } }, 404, {
          'Access-Control-Allow-Origin': '*',
          'Cache-Control': 'no-store',
        });
      }
      return send(c, entry, IMMUTABLE);
    })
    .get('/imbachat/v1/:dev_id/widget', async (c) => {
      const devId = c.req.param('dev_id');
      if (!(await deps.widgetExists(devId))) {
        // Browsers do not run a script answered with 404; the body is for whoever looks at it.
        return c.json({ error: { code: 'widget_not_found', message: `No widget has dev_id ${devId}.` } }, 404, {
          'Access-Control-Allow-Origin': '*',
          'Cache-Control': 'no-store',
        });
      }
      const entry = await load(join(dist, 'loader.js'));
      if (!entry) return notBuilt(c);
      return send(c, entry, LOADER_CACHE);
    });
}

/** The build's gzip copy of a file (`name.gz`, made with Zopfli: smaller than zlib's best), when
 *  it is there, not older than the file, and decompresses to exactly the file's bytes: a stale or
 *  broken copy is never sent, zlib's is. */
async function precompressed(path: string, mtimeMs: number, bytes: Uint8Array): Promise<Uint8Array | null> {
  try {
    const gz = `${path}.gz`;
    if ((await stat(gz)).mtimeMs < mtimeMs) return null;
    const copy = new Uint8Array(await readFile(gz));
    return Buffer.from(await gunzipAsync(copy)).equals(bytes) ? copy : null;
  } catch {
    return null; // none, or not gzip
  }
}

/** br when the client takes it, then gzip, then the plain bytes; q=0 means "not this one". */
export function pickEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.trim().split(';');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (name: string) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}
