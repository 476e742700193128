import { defineConfig } from 'vitest/config';

import { MAILWIRE_SOURCE_ALIASES } from './vitest.config.js';

// The interop suite against a real Dovecot (interop/README.md). Kept out of `npm test`:
// the root vitest.config.ts includes only packages/*/src and test-servers/src.
export default defineConfig({
  resolve: { alias: MAILWIRE_SOURCE_ALIASES },
  test: {
    include: ['interop/**/*.test.ts'],
    globalSetup: ['interop/setup.ts'],
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
