// What one parallel run plans with, built once (DESIGN §10 "Plan cache"): a run's scheme runs share two topologies at
// most (the virtualized one and bare-metal's, every vCPU on its own CPU), and a scheme's partition depends only on its
// topology, the shard count and whether the scheme keeps its VMs whole — the lookahead is the scenario's. planLanes
// costs every scheme at every lane width and runScheme partitions again for the width it runs at, so without a cache
// a run built the topology once per scheme more and partitioned every scheme again (at 10^5 vCPUs one topology is
// ~30–60 ms). Each ParallelRun holds one cache, holds its topologies only weakly between its constructor and run()
// (a run constructed and never run keeps none alive), and drops them when run() settles.

import { resolveCosts, type Scenario } from '@ivsim/core';
import { buildTopology, crossShardLookahead, type Topology } from '@ivsim/core/internal';
import { type Partition, partition } from './partition.ts';

/** The builders a cache calls (tests wrap them to count the calls). */
export interface PlanBuilders {
  topology(s: Scenario, bare: boolean): Topology;
  partition(s: Scenario, topo: Topology, shards: number, lookahead: number, wholeVms: boolean): Partition;
}

/** The real builders; every cache calls them through this object, so a test can count what a run builds. */
export const PLAN_BUILDERS: PlanBuilders = {
  topology: (s, bare) => buildTopology(s, bare),
  partition: (s, topo, shards, lookahead, wholeVms) => partition(s, topo, shards, lookahead, wholeVms),
};

/**
 * Topology per `bare`, partition per (bare, wholeVms, shards), for one validated scenario. The values are shared:
 * nothing may write them (nothing does — the engine reads a topology, the runner reads a partition).
 */
export class RunPlanCache {
  /** The cross-shard lookahead of the scenario's costs (what every partition of the run is costed with). */
  readonly lookahead: number;
  /** What this cache has built so far (tests check a run builds each thing once). */
  readonly built = { topologies: 0, partitions: 0 };
  private readonly topos = new Map<boolean, Topology>();
  /** Topologies held weakly ({@link holdWeakly}): reused while something else keeps them, else built again. */
  private readonly weak = new Map<boolean, WeakRef<Topology>>();
  private readonly parts = new Map<string, Partition>();

  constructor(
    readonly scenario: Scenario,
    private readonly build: PlanBuilders = PLAN_BUILDERS,
  ) {
    this.lookahead = crossShardLookahead(resolveCosts(scenario));
  }

  /** The topology of the scheme runs with `bare` (bare-metal's: every vCPU on its own pCPU). */
  topology(bare: boolean): Topology {
    let t = this.topos.get(bare) ?? this.weak.get(bare)?.deref();
    if (t === undefined) {
      t = this.build.topology(this.scenario, bare);
      this.built.topologies++;
    }
    this.weak.delete(bare);
    this.topos.set(bare, t);
    return t;
  }

  /** The partition of a scheme run with `bare` on `shards` shards (`wholeVms`: the scheme keeps its VMs whole). */
  partition(bare: boolean, wholeVms: boolean, shards: number): Partition {
    const key = `${bare ? 1 : 0}${wholeVms ? 1 : 0}${shards}`;
    let p = this.parts.get(key);
    if (p === undefined) {
      p = this.build.partition(this.scenario, this.topology(bare), shards, this.lookahead, wholeVms);
      this.built.partitions++;
      this.parts.set(key, p);
    }
    return p;
  }

  /**
   * Keeps the topologies built so far only weakly: the next {@link topology} call takes one back if the collector
   * has not taken it, and builds it again (the same pure function of the scenario) if it has. A ParallelRun calls
   * this at the end of its constructor, so a run that is constructed and never run holds no topology (2 × 36 MiB at
   * 10^5 vCPUs); run() called in the same job finds them alive (a WeakRef's target lives to the end of the job) and
   * takes them back at once ({@link takeBack}), before its first await.
   */
  holdWeakly(): void {
    for (const [bare, t] of this.topos) this.weak.set(bare, new WeakRef(t));
    this.topos.clear();
  }

  /** Holds strongly again every weakly held topology the collector has not taken (run() does, before any await). */
  takeBack(): void {
    for (const [bare, w] of this.weak) {
      const t = w.deref();
      if (t !== undefined) this.topos.set(bare, t);
    }
    this.weak.clear();
  }

  /**
   * Drops the topologies (36 MiB per topology at 10^5 vCPUs): a finished run keeps none. The partitions (a few
   * bytes per pCPU) stay; a later use builds the topology again.
   */
  releaseTopologies(): void {
    this.topos.clear();
    this.weak.clear();
  }
}
