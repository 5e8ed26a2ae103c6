import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql instance: src is transformed by Vite (which would pick graphql's .mjs) while
  // Pothos and yoga load graphql's CommonJS entry through Node.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
