import { defineConfig } from 'vitest/config';
import { jsx } from './build.shared.ts';

export default defineConfig({
  oxc: { jsx },
  define: { __IMBACHAT_APP_ENTRY__: JSON.stringify('assets/app-test.js') },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
