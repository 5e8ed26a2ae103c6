import { defineConfig } from 'vitest/config';

// Browser tests: one file at a time in one worker (Chromium and the gateway each want a core),
// with timeouts that allow for a cold Chromium and a 9 MB GraphiQL page.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
