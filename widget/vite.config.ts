// Build 1 of 2: the app (launcher, state, transport) and the lazy panel, as content-hashed ES modules.
// Chunks import each other by relative URL, so they load from wherever the server puts them.
import { defineConfig } from 'vite';
import { appEntry, assetsDir, jsx, outDir, precompress, target, terser } from './build.shared.ts';

export default defineConfig({
  oxc: { jsx },
  plugins: [precompress()],
  base: './',
  build: {
    outDir,
    emptyOutDir: true,
    target,
    manifest: true,
    modulePreload: false,
    cssCodeSplit: false,
    // A second pass after rolldown's own minifier (below): terser finds about 0.3 KB gzipped more
    // in the startup (inlining, joined declarations) with its safe options only.
    minify: 'terser',
    terserOptions: terser,
    // Library mode: Vite adds no preload helper to dynamic imports (the chunks need none; it cost
    // about 0.7 KB gzipped of the startup).
    lib: { entry: appEntry, formats: ['es'] },
    reportCompressedSize: false,
    rolldownOptions: {
      input: { app: appEntry },
      preserveEntrySignatures: 'allow-extension',
      output: {
        // Library mode leaves ES output unminified (for other bundlers); this is for browsers.
        minify: true,
        // Annotation comments (`/* @__PURE__ */` before each JSX call) are for bundlers that read
        // this output again; browsers do not: 165 of them cost 0.15 KB gzipped.
        comments: false,
        entryFileNames: `${assetsDir}/[name]-[hash].js`,
        // Code shared by the app and the panel (Preact, signals, icons) goes into one named chunk.
        chunkFileNames: (chunk) => (chunk.isDynamicEntry ? `${assetsDir}/[name]-[hash].js` : `${assetsDir}/shared-[hash].js`),
        assetFileNames: `${assetsDir}/[name]-[hash][extname]`,
      },
    },
  },
});
