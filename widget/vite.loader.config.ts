// Build 2 of 2: the loader, one classic script (IIFE) served at /imbachat/v1/{dev_id}/widget.
// It learns the hashed name of the app entry from build 1's manifest.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { jsx, loaderEntry, outDir, precompress, target } from './build.shared.ts';

function appEntryFile(): string {
  const manifestPath = resolve(outDir, '.vite/manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, { file: string; isEntry?: boolean }>;
  const entry = Object.values(manifest).find((chunk) => chunk.isEntry);
  if (!entry) throw new Error(`no entry in ${manifestPath}: run the app build first`);
  return entry.file;
}

export default defineConfig({
  oxc: { jsx },
  plugins: [precompress()],
  define: { __IMBACHAT_APP_ENTRY__: JSON.stringify(appEntryFile()) },
  build: {
    outDir,
    emptyOutDir: false,
    target,
    reportCompressedSize: false,
    lib: { entry: loaderEntry, formats: ['iife'], name: 'ImbaChatLoader', fileName: () => 'loader.js' },
  },
});
