import { defineConfig } from 'vitest/config';

// `pnpm soak:props`: the property suite at soak size (IVSIM_SOAK=1: ≥ 300 random valid scenarios per property).
// Not part of the README's test command; CI runs the same file at a few cases.
export default defineConfig({
  test: {
    include: ['packages/workers/test/properties.test.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 3_600_000,
  },
});
