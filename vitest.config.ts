import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run the TypeScript sources directly: every @mailwire/* import resolves to src/
// (vitest.interop.config.ts uses the same aliases).
export const MAILWIRE_SOURCE_ALIASES = [
  { find: /^@mailwire\/test-servers$/, replacement: here('./test-servers/src/index.ts') },
  { find: /^@mailwire\/([a-z0-9-]+)$/, replacement: here('./packages/$1/src/index.ts') },
];

export default defineConfig({
  resolve: { alias: MAILWIRE_SOURCE_ALIASES },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test-servers/src/**/*.test.ts', 'security/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
