// IPI patterns across shards (DESIGN §16, rule IP-10): a shootdown's acknowledgements are cross-vCPU events that
// go through the rings like IPIs, at least the lookahead after they are sent, so a VM split over shards gives the
// single-threaded results byte for byte.

import { BUILTIN_SCENARIOS, type Results, resolveCosts, simulate, validateScenario } from '@ivsim/core';
import { CROSS_SHARD_EVENTS, crossShardLookahead } from '@ivsim/core/internal';
import { describe, expect, it } from 'vitest';
import { TYPE_BITS } from '../dist/protocol.js';
import { ParallelRun } from '../dist/runner.js';

const strip = (r: Results) => JSON.stringify({ ...r, engine: undefined });

describe('IP-10 shootdown acknowledgements cross shards deterministically', () => {
  it('IP-10: every event type that can cross fits the ring record; the lookahead is the smaller cross latency', () => {
    for (const t of CROSS_SHARD_EVENTS) expect(t).toBeLessThan(TYPE_BITS);
    const c = resolveCosts(validateScenario(BUILTIN_SCENARIOS['ipi-patterns']));
    expect(c.csdAckLatency).toBeLessThan(c.ipiLatency); // xeon-e5-kvm: 150 < 190, so the ack sets it
    expect(crossShardLookahead(c)).toBe(c.csdAckLatency);
  });

  // Spread partitions synchronize every lookahead (~0.1 µs), so these runs are kept short.
  it.each([
    ['ipi-patterns', 2],
    ['arm-ipi-patterns', 3],
  ] as const)(
    'IP-10: %s (shortened), spread over %i shards ⇒ identical to one thread',
    async (name, shards) => {
      const base = { ...structuredClone(BUILTIN_SCENARIOS[name]), duration: '3ms' };
      const ref = simulate(base);
      expect(ref.schemes.every((x) => x.ipiPatterns.shootdowns.completed > 0)).toBe(true);
      const run = new ParallelRun({ ...base, engine: { partition: 'spread' } }, { shards });
      const r = await run.run();
      expect(r.engine.crossShard).toBe(true);
      expect(run.sync.crossEvents).toBeGreaterThan(0);
      expect(strip(r)).toBe(strip(ref));
    },
    120_000,
  );
});
