import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      // Tests and the README quickstart import the package by its name, resolved to the sources.
      { find: /^tfjs-angular-margin\/node$/, replacement: fileURLToPath(new URL('./src/node.ts', import.meta.url)) },
      { find: /^tfjs-angular-margin\/fast-kernels$/, replacement: fileURLToPath(new URL('./src/fast_kernels.ts', import.meta.url)) },
      { find: /^tfjs-angular-margin\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^tfjs-angular-margin$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // The browser demo's test has its own config and command: npm run test:browser.
    exclude: ['test/browser/**', '**/node_modules/**'],
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
