import { configDefaults, defineConfig } from 'vitest/config';

// The whole suite runs twice: on the embedded engines (SQLite, in-process bus) and on PostgreSQL +
// Redis (testing/engines.ts). The second pass leaves out the files that pick their engines
// themselves (the store, bus and presence contract suites run every implementation already, and
// the cluster test starts its own nodes) and those that use none (file storage and content checks,
// the upload limit on its own server process). One file on one engine:
//   pnpm exec vitest run --project embedded src/realtime/live.test.ts
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'embedded', env: { IMBACHAT_TEST_ENGINES: 'embedded' } } },
      {
        extends: true,
        test: {
          name: 'postgres+redis',
          env: { IMBACHAT_TEST_ENGINES: 'postgres+redis' },
          exclude: [...configDefaults.exclude, 'src/store/**', 'src/bus/**', 'src/presence/**', 'src/limits/{memory,redis}.test.ts', 'src/cluster.test.ts', 'src/engines.test.ts', 'src/cli-postgres.test.ts', 'src/files/storage/**', 'src/files/content/**', 'src/files/upload-limit.test.ts'],
        },
      },
    ],
  },
});
