// Settings both builds share: where the output goes and how JSX compiles.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The size test builds into a temp folder; everything else uses dist/. */
export const outDir = process.env.IMBACHAT_WIDGET_OUT_DIR ?? resolve(here, 'dist');
export const appEntry = resolve(here, 'src/app.ts');
export const loaderEntry = resolve(here, 'src/index.ts');
export const jsx = { runtime: 'automatic', importSource: 'preact' } as const;
/** Served at /imbachat/v1/assets/… by the server; names carry a content hash. */
export const assetsDir = 'assets';
export const target = 'es2022';
