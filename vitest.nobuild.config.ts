import { defineConfig } from 'vitest/config';
import { livenessBound } from './packages/core/test/liveness.ts';

// Fast inner loop for tests that import ../src/*.ts directly: no tsc -b global setup.
// Tests that spawn workers or the CLI need dist/ and must use the default config.
// The timeout is a hang guard stretched by the machine's load, as in vitest.config.ts.
export default defineConfig({
  test: { include: ['packages/*/test/**/*.test.ts'], testTimeout: Math.min(livenessBound(60_000), 300_000) },
});
