// drizzle-kit settings of the PostgreSQL store's migrations (the SQLite ones: drizzle.config.ts).
// Generate with `pnpm exec drizzle-kit generate --config drizzle.postgres.config.ts --name <what>`.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/postgres/schema.ts',
  out: './src/store/migrations/postgres',
});
