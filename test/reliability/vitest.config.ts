// The reliability suite: real serve processes, kill -9, hostile requests. Not in `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    globalSetup: ['test/native-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
