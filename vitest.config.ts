import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the packages from source; the build uses their dist.
    alias: {
      '@cocreate/protocol': src('./packages/protocol/src/index.ts'),
      '@cocreate/ranking': src('./packages/ranking/src/index.ts'),
      '@cocreate/fanout/testing': src('./packages/fanout/src/testing/redis-server.ts'),
      '@cocreate/fanout': src('./packages/fanout/src/index.ts'),
      '@cocreate/db/testing': src('./packages/db/src/testing.ts'),
      '@cocreate/db': src('./packages/db/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'server/src/**/*.test.ts', 'client/src/**/*.test.ts', 'client/e2e/**/*.test.ts', 'load-tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
