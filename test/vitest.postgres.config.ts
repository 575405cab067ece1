// The same engine and API tests on the PostgreSQL store (the matrix): a throwaway cluster, a fresh
// schema per store. Left out: tests of SQLite itself (its file, pragmas, corruption, the desktop's
// data folder lock), which have no PostgreSQL meaning; each is named with the reason.
import { defineConfig } from 'vitest/config';

/** SQLite-only tests, with why. */
export const sqliteOnly: Record<string, string> = {};

export default defineConfig({
  test: {
    include: ['test/engine/**/*.test.ts', 'test/server/**/*.test.ts'],
    exclude: [...Object.keys(sqliteOnly), 'node_modules/**'],
    globalSetup: ['test/native-setup.ts', 'test/team/pg-matrix-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
