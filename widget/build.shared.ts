// Settings both builds share: where the output goes, how JSX compiles and is minified, and the
// precompressed copies of what they emit.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipAsync } from '@gfx/zopfli';
import type { Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The size test builds into a temp folder; everything else uses dist/. */
export const outDir = process.env.IMBACHAT_WIDGET_OUT_DIR ?? resolve(here, 'dist');
export const appEntry = resolve(here, 'src/app.ts');
export const loaderEntry = resolve(here, 'src/index.ts');
export const jsx = { runtime: 'automatic', importSource: 'preact' } as const;
/** Served at /imbachat/v1/assets/… by the server; names carry a content hash. */
export const assetsDir = 'assets';
export const target = 'es2022';
/** Terser's safe options (no unsafe transforms, no assumption that getters are pure): three
 *  compress passes over output that is already minified. */
export const terser = { ecma: 2020, module: true, compress: { passes: 3 }, format: { comments: false } } as const;

/** Writes a gzip copy beside every script and stylesheet the build emits, made with Zopfli: gzip
 *  that any client decodes, 3–4 % smaller than zlib's level 9 (compressed once per build, so its
 *  slowness costs nothing at run time). The server sends it to clients that take gzip and not br
 *  (server/src/assets/routes.ts), after checking it decompresses to the file. */
export function precompress(): Plugin {
  let dir = outDir;
  return {
    name: 'imbachat-precompress',
    apply: 'build',
    configResolved(config) {
      dir = config.build.outDir;
    },
    async writeBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => /\.(?:js|css)$/.test(name));
      await Promise.all(
        files.map(async (name) => {
          const path = resolve(dir, name);
          writeFileSync(`${path}.gz`, await gzipAsync(readFileSync(path), { numiterations: 15 }));
        }),
      );
    },
  };
}
