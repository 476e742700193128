import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The interop suite against a real Dovecot (interop/README.md). Kept out of `npm test`:
// the root vitest.config.ts includes only packages/*/src and test-servers/src.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@mailwire\/test-servers$/, replacement: here('./test-servers/src/index.ts') },
      { find: /^@mailwire\/([a-z0-9-]+)$/, replacement: here('./packages/$1/src/index.ts') },
    ],
  },
  test: {
    include: ['interop/**/*.test.ts'],
    globalSetup: ['interop/setup.ts'],
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
