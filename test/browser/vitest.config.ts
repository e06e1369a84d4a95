import { defineConfig } from 'vitest/config';

// The browser demo's end-to-end test: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core against the built demo. Run with `npm run test:browser`, which builds it first.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
