// runParallel() honours every option RunOptions declares for users (shards, schemes, seed, durationNs): the results
// equal simulate()'s with the same options outside `engine`, and engine.shards is the shard count asked for.
// (fault and ringCapacity are test hooks, exercised by failures.test.ts and determinism.test.ts.)

import { BUILTIN_SCENARIOS, type Results, type ScenarioInput, simulate } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { runParallel } from '../dist/index.js';

const model = (r: Results) => JSON.stringify({ ...r, engine: undefined });
const base: ScenarioInput = { ...BUILTIN_SCENARIOS['x86-small'], duration: '2ms' };

describe('runParallel() options', () => {
  it('shards, schemes, seed and durationNs each take effect, as in simulate()', async () => {
    const opts = { schemes: ['x86-apicv-pi' as const], seed: 11, durationNs: 1_500_000 };
    const r = await runParallel(base, { ...opts, shards: 2 });
    expect(r.engine.shards).toBe(2);
    expect(r.seed).toBe(11);
    expect(r.durationNs).toBe(1_500_000);
    expect(r.schemes.map((s) => s.scheme)).toEqual(['x86-apicv-pi']);
    expect(model(r)).toBe(model(simulate(base, opts)));
  });
});
