// The plan cache (DESIGN §10 "Plan cache"): one ParallelRun builds each topology and each partition once — planLanes
// and runScheme share them — holds its topologies only weakly until run() starts, and a shard thread reuses a
// topology across the scheme runs of one run only. Results stay simulate()'s.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BUILTIN_SCENARIOS, type Results, simulate, validateScenario } from '@ivsim/core';
import { Arena, Barrier, buildTopology, ledgerStride, runParts, schemePlan } from '@ivsim/core/internal';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { partition } from '../dist/partition.js';
import { controlBytes, type ShardTask } from '../dist/protocol.js';
import { PLAN_BUILDERS, type PlanBuilders, RunPlanCache } from '../dist/run-plan-cache.js';
import { ParallelRun } from '../dist/runner.js';
import runShard, { topologyReuse } from '../dist/shard-task.js';

// A full collection on demand (the flag reaches contexts made after it is set).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
/** Ends the current job (a WeakRef's target is kept alive until then), then collects. */
async function collectWeak(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  collect();
}

const strip = (r: Results) => JSON.stringify({ ...r, engine: undefined });
const short = (name: string, duration: string) => ({ ...structuredClone(BUILTIN_SCENARIOS[name]), duration });

/** The real builders, counting their calls. */
function counting(): PlanBuilders & { calls: { topology: boolean[]; partition: string[] } } {
  const calls = { topology: [] as boolean[], partition: [] as string[] };
  return {
    calls,
    topology(s, bare) {
      calls.topology.push(bare);
      return buildTopology(s, bare);
    },
    partition(s, topo, shards, lookahead, wholeVms) {
      calls.partition.push(`${topo.vcpus.length}/${shards}/${wholeVms}`);
      return partition(s, topo, shards, lookahead, wholeVms);
    },
  };
}

describe('RunPlanCache', () => {
  it('one topology object per bare flag, one partition per (bare, wholeVms, shards)', () => {
    const s = validateScenario(short('fleet', '1ms'));
    const b = counting();
    const c = new RunPlanCache(s, b);
    const virt = c.topology(false);
    expect(c.topology(false)).toBe(virt);
    const bare = c.topology(true);
    expect(bare).not.toBe(virt);
    expect(c.topology(true)).toBe(bare);
    expect(b.calls.topology).toEqual([false, true]);
    const p = c.partition(false, false, 2);
    expect(c.partition(false, false, 2)).toBe(p);
    expect(c.partition(false, true, 2)).not.toBe(p);
    expect(c.partition(false, false, 1)).not.toBe(p);
    c.partition(true, false, 2);
    c.partition(true, false, 2);
    expect(b.calls.partition).toHaveLength(4);
    expect(b.calls.topology).toHaveLength(2); // the partitions used the cached topologies
    expect(c.built).toEqual({ topologies: 2, partitions: 4 });
    // Equal to what the partitioner gives on a fresh topology.
    expect(p).toEqual(partition(s, buildTopology(s, false), 2, c.lookahead, false));
    // A released topology is built again on its next use; the partitions stay.
    c.releaseTopologies();
    expect(c.partition(false, false, 2)).toBe(p);
    expect(b.calls.topology).toHaveLength(2);
    expect(c.topology(false)).not.toBe(virt);
    expect(b.calls.topology).toEqual([false, true, false]);
  });
});

describe('RunPlanCache.holdWeakly', () => {
  it('keeps a topology only while something else does: taken back alive, built again once collected', async () => {
    const s = validateScenario(short('x86-small', '2ms'));
    const b = counting();
    const c = new RunPlanCache(s, b);
    const first = c.topology(false);
    c.holdWeakly();
    expect(c.topology(false)).toBe(first); // alive (this test holds it): taken back, not built
    expect(b.calls.topology).toEqual([false]);
    let probe: WeakRef<object> | null = new WeakRef(c.topology(true));
    c.holdWeakly();
    await collectWeak();
    expect(probe.deref()).toBeUndefined(); // only the cache's weak hold was left: collected
    probe = null;
    const again = c.topology(true);
    expect(b.calls.topology).toEqual([false, true, true]);
    // The same pure function of the scenario (samplers are closures, so compare through JSON).
    expect(JSON.stringify(again)).toBe(JSON.stringify(buildTopology(s, true)));
    expect(c.topology(false)).toBe(first); // the one this test holds was never dropped
    // takeBack: a live one is held strongly again, so a collection no longer takes it.
    probe = new WeakRef(c.topology(true));
    c.holdWeakly();
    c.takeBack();
    await collectWeak();
    expect(probe.deref()).toBeDefined();
    expect(b.calls.topology).toHaveLength(3);
  });
});

describe('a ParallelRun constructed and not yet run', () => {
  afterEach(() => vi.restoreAllMocks());

  it('keeps no topology alive; run() builds what it needs again, with the same results', async () => {
    // Wrapped by hand, not spied: a spy's mock.results would keep every topology alive.
    const real = PLAN_BUILDERS.topology;
    const built: WeakRef<object>[] = [];
    PLAN_BUILDERS.topology = (s, bare) => {
      const t = real(s, bare);
      built.push(new WeakRef(t));
      return t;
    };
    try {
      const input = short('fleet', '1ms');
      const run = new ParallelRun(input, { shards: 2 });
      expect(built.length).toBeGreaterThan(0); // planLanes costed on them
      await collectWeak();
      expect(built.map((w) => w.deref())).toEqual(built.map(() => undefined));
      const planned = built.length;
      const r = await run.run();
      expect(built.length).toBe(2 * planned); // built again, once each
      expect(strip(r)).toBe(strip(simulate(input)));
    } finally {
      PLAN_BUILDERS.topology = real;
    }
  });
});

describe('ParallelRun builds its plan once', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    // fleet: one lane of 2; planLanes also costs width 1. big-vm: two lanes of 1 shard.
    ['fleet', '2ms', 2, 1],
    ['big-vm', '2ms', 2, 2],
    ['x86-compare', '2ms', 3, 1],
  ] as const)(
    '%s (%s) on %i shards: runScheme builds no topology or partition planLanes built',
    async (name, duration, shards, lanes) => {
      const topo = vi.spyOn(PLAN_BUILDERS, 'topology');
      const part = vi.spyOn(PLAN_BUILDERS, 'partition');
      const input = short(name, duration);
      const s = validateScenario(input);
      const run = new ParallelRun(input, { shards });
      expect(run.lanes.lanes).toHaveLength(lanes);
      const bareFlags = new Set(schemePlan(s).run.map((id) => id === 'bare-metal'));
      expect(topo).toHaveBeenCalledTimes(bareFlags.size); // at most two, whatever the number of schemes and widths
      const planned = part.mock.calls.length;
      expect(planned).toBeGreaterThan(0);
      const r = await run.run();
      expect(topo).toHaveBeenCalledTimes(bareFlags.size); // not again per scheme
      expect(part).toHaveBeenCalledTimes(planned); // every width the run uses was costed by planLanes
      expect(strip(r)).toBe(strip(simulate(input)));
    },
  );

  it('without lanes to plan (one shard), runScheme builds each topology and partition once', async () => {
    const topo = vi.spyOn(PLAN_BUILDERS, 'topology');
    const part = vi.spyOn(PLAN_BUILDERS, 'partition');
    const input = short('x86-compare', '2ms');
    const run = new ParallelRun(input, { shards: 1 });
    expect(topo).not.toHaveBeenCalled();
    const r = await run.run();
    expect(topo).toHaveBeenCalledTimes(2); // bare-metal's and the virtualized one, for five schemes
    expect(part).toHaveBeenCalledTimes(2);
    expect(strip(r)).toBe(strip(simulate(input)));
  });
});

describe('the shard task reuses a topology within one run only', () => {
  /** One whole-run shard task (1 shard, nothing crosses), run on this thread. */
  const taskFor = (s: ReturnType<typeof validateScenario>, scheme: ShardTask['scheme'], runId: string): ShardTask => {
    const arenaSchemes = schemePlan(s).run;
    const { topo, layout } = runParts(s, scheme, arenaSchemes);
    return {
      scenario: s,
      scheme,
      arenaSchemes,
      runId,
      shard: 0,
      shards: 1,
      pcpuOwner: new Int32Array(topo.pcpus),
      lookahead: Number.POSITIVE_INFINITY,
      barrier: Barrier.create(1).buffer as SharedArrayBuffer,
      rings: [new SharedArrayBuffer(0)],
      arena: new SharedArrayBuffer(Arena.bytes(topo.vcpus.length, ledgerStride(topo.vms), layout)),
      control: new SharedArrayBuffer(controlBytes(1)),
      controlLine: 0,
      cores: 2,
    };
  };

  it('a later scheme of the same run and topology kind reuses it, with the same counters as a fresh build', () => {
    const s = validateScenario(short('x86-small', '2ms'));
    const before = { ...topologyReuse };
    const delta = () => ({ hits: topologyReuse.hits - before.hits, builds: topologyReuse.builds - before.builds });
    runShard(taskFor(s, 'x86-vmx', 'run-a'));
    expect(delta()).toEqual({ hits: 0, builds: 1 });
    const reused = runShard(taskFor(s, 'x86-apicv-pi', 'run-a'));
    expect(delta()).toEqual({ hits: 1, builds: 1 });
    runShard(taskFor(s, 'bare-metal', 'run-a')); // its own topology kind: built
    expect(delta()).toEqual({ hits: 1, builds: 2 });
    const fresh = runShard(taskFor(s, 'x86-apicv-pi', 'run-b')); // another run: built again
    expect(delta()).toEqual({ hits: 1, builds: 3 });
    expect(reused.counters).toEqual(fresh.counters);
    expect(reused.pending).toBe(fresh.pending);
  });
});
