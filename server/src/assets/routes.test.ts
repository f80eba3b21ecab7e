import { mkdirSync, mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAssetRoutes } from './routes.ts';

const LOADER = `(function(){/* loader */window.ImbaChat={load(){}};})();\n`.repeat(20);
const CHUNK = `export function start(){return 42}\n`.repeat(50);

let dist: string;
beforeEach(() => {
  dist = mkdtempSync(join(tmpdir(), 'imbachat-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'loader.js'), LOADER);
  writeFileSync(join(dist, 'assets', 'app-AbC123.js'), CHUNK);
});
afterEach(() => rmSync(dist, { recursive: true, force: true }));

const app = (distDir = dist) => createAssetRoutes({ widgetExists: async (id) => id === 'demo', distDir });

describe('the widget loader', () => {
  it('is served for a known widget as short-cached, CORS-open JavaScript with an ETag', async () => {
    const res = await app().request('/imbachat/v1/demo/widget');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/max-age=300/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('etag')).toMatch(/^W\/".+"$/);
    expect(await res.text()).toBe(LOADER);
  });

  it('answers 304 to a matching If-None-Match, and 200 again once the file changes', async () => {
    const a = app();
    const first = await a.request('/imbachat/v1/demo/widget');
    const etag = first.headers.get('etag')!;
    const again = await a.request('/imbachat/v1/demo/widget', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    writeFileSync(join(dist, 'loader.js'), LOADER + '/* v2 */');
    utimesSync(join(dist, 'loader.js'), new Date(), new Date(Date.now() + 5000));
    const changed = await a.request('/imbachat/v1/demo/widget', { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.text()).toContain('/* v2 */');
  });

  it('is brotli or gzip compressed as the client accepts, and plain otherwise', async () => {
    const a = app();
    const br = await a.request('/imbachat/v1/demo/widget', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBeLessThan(LOADER.length / 4);
    expect(brotliDecompressSync(brBytes).toString()).toBe(LOADER);

    const gz = await a.request('/imbachat/v1/demo/widget', { headers: { 'Accept-Encoding': 'gzip, br;q=0' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(LOADER);

    const plain = await a.request('/imbachat/v1/demo/widget', { headers: { 'Accept-Encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(LOADER);
  });

  it('answers 404 with a JSON error for an unknown dev_id', async () => {
    const res = await app().request('/imbachat/v1/nope/widget');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'widget_not_found', message: expect.stringContaining('nope') } });
  });

  it('answers 503 saying to build the widget when the build is missing', async () => {
    const res = await app(join(dist, 'missing')).request('/imbachat/v1/demo/widget');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('widget_not_built');
    expect(body.error.message).toContain('pnpm --filter @imbachat/widget build');
  });
});

describe('the hashed widget assets', () => {
  it('are immutable for a year and open to cross-origin dynamic import', async () => {
    const res = await app().request('/imbachat/v1/assets/app-AbC123.js', { headers: { 'Accept-Encoding': 'br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString()).toBe(CHUNK);
  });

  it("send the build's gzip copy to gzip clients when it is current and holds the same bytes", async () => {
    const file = join(dist, 'assets', 'app-AbC123.js');
    // Level 1 stands in for the build's Zopfli copy: other bytes than the server's own level 9.
    const copy = gzipSync(CHUNK, { level: 1 });
    const gzipOf = async () => {
      const res = await app().request('/imbachat/v1/assets/app-AbC123.js', { headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.headers.get('content-encoding')).toBe('gzip');
      const body = Buffer.from(await res.arrayBuffer());
      expect(gunzipSync(body).toString()).toBe(CHUNK);
      return body;
    };
    writeFileSync(`${file}.gz`, copy);
    expect((await gzipOf()).equals(copy)).toBe(true);

    // Older than the file (a build that did not rewrite it): the server compresses the file itself.
    utimesSync(`${file}.gz`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect((await gzipOf()).equals(copy)).toBe(false);

    // Current, but of other bytes, or not gzip at all: never sent.
    writeFileSync(`${file}.gz`, gzipSync(CHUNK + '/* other */', { level: 1 }));
    expect((await gzipOf()).equals(gzipSync(CHUNK + '/* other */', { level: 1 }))).toBe(false);
    writeFileSync(`${file}.gz`, 'not gzip');
    await gzipOf();

    // The copies are not assets of their own.
    expect((await app().request('/imbachat/v1/assets/app-AbC123.js.gz')).status).toBe(404);
  });

  it('answer HEAD with headers only', async () => {
    const res = await app().request('/imbachat/v1/assets/app-AbC123.js', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(CHUNK.length));
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('never leave the assets folder and 404 on unknown names', async () => {
    writeFileSync(join(dist, 'secret.js'), 'nope');
    const a = app();
    for (const path of ['/imbachat/v1/assets/..%2Fsecret.js', '/imbachat/v1/assets/..%2f..%2floader.js', '/imbachat/v1/assets/nothing-1.js', '/imbachat/v1/assets/.vite']) {
      const res = await a.request(path);
      expect(res.status, path).toBe(404);
    }
  });
});
