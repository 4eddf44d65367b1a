import { defineConfig } from 'vitest/config';

// Fast inner loop for tests that import ../src/*.ts directly: no tsc -b global setup.
// Tests that spawn workers or the CLI need dist/ and must use the default config.
export default defineConfig({
  test: { include: ['packages/*/test/**/*.test.ts'], testTimeout: 60_000 },
});
