// DESIGN §4: results are identical (outside `engine`) for any shard count and either partition.

import { BUILTIN_SCENARIOS, type Results, simulate } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { ParallelRun } from '../dist/runner.js';

const strip = (r: Results) => JSON.stringify({ ...r, engine: undefined });
const withPartition = (name: string, partition: 'balanced' | 'spread') => ({
  ...structuredClone(BUILTIN_SCENARIOS[name]),
  engine: { partition },
});

/** Built-ins run here shortened, on 4 shards balanced and 2 spread. */
const SHORTENED = [
  'arm-compare',
  'arm-lr-pressure',
  'fleet',
  'overcommit',
  'arm-overcommit',
  'moderation-sweep',
  'arm-moderation-sweep',
  'amd-compare',
];
const HERE = ['x86-small', 'x86-compare', ...SHORTENED];
/** Built-ins whose sharded runs split-vm.test.ts compares with simulate() (split on 1, 2 and 3 shards). */
const IN_SPLIT_VM_TEST = ['big-vm', 'ipi-patterns', 'arm-ipi-patterns'];

describe('determinism across shard counts', () => {
  const small = simulate(BUILTIN_SCENARIOS['x86-small']);

  it.each([
    ['balanced', 1],
    ['balanced', 2],
    ['balanced', 4],
    ['spread', 2],
    ['spread', 4],
  ] as const)('x86-small, %s partition, %i shard(s) ⇒ identical results', async (partition, shards) => {
    const run = new ParallelRun(withPartition('x86-small', partition), { shards });
    const r = await run.run();
    expect(r.engine.shards).toBe(Math.min(shards, 2)); // x86-small has 2 pCPUs
    expect(strip(r)).toBe(strip(small));
    if (partition === 'spread') {
      // The VM spans both shards: IPIs really crossed through the rings and windows were synchronized.
      expect(r.engine.crossShard).toBe(true);
      expect(run.sync.crossEvents).toBeGreaterThan(0);
      expect(run.sync.windows).toBeGreaterThan(100);
    }
  });

  it('a ring far too small for a window spills, loses nothing and keeps the results identical', async () => {
    // Heavy IPI traffic and a long IPI latency put dozens of records into each window's ring; the lookahead is the
    // smaller of the two cross-shard latencies (DESIGN §10), so the csd acknowledgement's is raised with it.
    const s = withPartition('x86-small', 'spread');
    s.vms[0].guest = { ...s.vms[0].guest, ipi: { rate: 100_000 } };
    s.costs = { preset: 'xeon-e5-kvm', overrides: { ipiLatency: 210_000, csdAckLatency: 210_000 } };
    const ref = simulate(s);
    const run = new ParallelRun(s, { shards: 2, ringCapacity: 2 });
    const r = await run.run();
    expect(run.sync.spilled).toBeGreaterThan(0);
    expect(strip(r)).toBe(strip(ref));
    expect(r.schemes.every((x) => x.conservation.ok)).toBe(true);
  });

  it('covers every built-in scenario here or in split-vm.test.ts (a new built-in needs a place)', () => {
    const covered = new Set([...HERE, ...IN_SPLIT_VM_TEST]);
    expect(Object.keys(BUILTIN_SCENARIOS).filter((n) => !covered.has(n))).toEqual([]);
  });

  it.each(SHORTENED)('%s (shortened): 4 shards balanced and 2 shards spread ⇒ identical results', async (name) => {
    const base = { ...structuredClone(BUILTIN_SCENARIOS[name]), duration: name === 'fleet' ? '2ms' : '10ms' };
    const ref = strip(simulate(base));
    for (const [partition, shards] of [
      ['balanced', 4],
      ['spread', 2],
    ] as const) {
      const r = await new ParallelRun({ ...base, engine: { partition } }, { shards }).run();
      expect(strip(r), `${partition} ${shards}`).toBe(ref);
    }
  });

  it('x86-compare with 1, 2 and 4 shards ⇒ identical results', async () => {
    const ref = simulate(BUILTIN_SCENARIOS['x86-compare']);
    for (const shards of [1, 2, 4]) {
      const r = await new ParallelRun(BUILTIN_SCENARIOS['x86-compare'], { shards }).run();
      expect(strip(r), `${shards} shards`).toBe(strip(ref));
    }
  });
});
