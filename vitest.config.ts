import { defineConfig } from 'vitest/config';
import { livenessBound } from './packages/core/test/liveness.ts';

// A test's timeout is a hang guard, not a speed check: 60 s on an idle machine, stretched by the load when the run
// starts (packages/core/test/liveness.ts), at most 5 min.
const guard = Math.min(livenessBound(60_000), 300_000);

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: guard,
    hookTimeout: guard,
  },
});
