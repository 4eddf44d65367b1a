import { defineConfig } from 'vitest/config';

// `pnpm soak:fuzz`: the scenario fuzz suite at soak size — ≥ 10^4 cases through the validator in-process and a
// sample through the CLI, with a fresh seed printed by each file (IVSIM_FUZZ_SEED=<n> reproduces a run). Not part of
// the README's test command; CI runs the same files at a few hundred / a couple of dozen cases with fixed seeds.
export default defineConfig({
  test: {
    include: ['packages/core/test/fuzz/fuzz.test.ts', 'packages/cli/test/fuzz-cli.test.ts'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 3_600_000,
  },
});
