import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The tests that Stryker (npm run mutate) runs against mutants of src/: every library test, without
// the example and tools tests, which test examples/ and tools/ (the MNIST smoke tests also start
// child processes, which never see the active mutant).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/examples/**', 'test/tools/**', '**/node_modules/**'],
  },
});
