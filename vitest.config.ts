import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Docker and ZFS suites share one daemon each; running files in parallel only makes them contend.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
