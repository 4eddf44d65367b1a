// Scheme lanes (DESIGN §10 "Scheme lanes"): the scheme runs of a scenario are independent (each is a pure function
// of the scenario, the seed and its scheme), so when the partitioner cannot keep n shards busy on one scheme — one
// big VM that does not pay to split (§19.9), fewer VMs than threads — the runner runs several schemes side by side,
// each on its own lane of n / lanes shards. A pure function of the scenario and the shard count, so a run's plan is
// reproducible; the results do not depend on it (every scheme run is the same whatever lane runs it).

import type { Scenario, SchemeId } from '@ivsim/core';
import { runsBare, wholeVmsReason } from '@ivsim/core/internal';
import { RunPlanCache } from './run-plan-cache.ts';

/** How a parallel run's scheme runs share its shards (ParallelRun.lanes): lanes of equal width, side by side. */
export interface LanePlan {
  /** Shards per lane (every lane has the same). */
  shardsPerLane: number;
  /** For each lane, the indices (into the run list) of the schemes it runs, in that order. */
  lanes: number[][];
  /**
   * The cost model's busiest-shard CPU seconds per virtual second of the whole run, this plan and one lane of all
   * shards (null when there was nothing to choose: one shard, one scheme, or a forced partition).
   */
  estimate: { laneCpu: number; singleCpu: number } | null;
}

/**
 * Lanes pay when the estimated time to run every scheme — the busiest lane's sum of its schemes' busiest-shard CPU
 * time — beats one lane of all shards by this factor (a margin for the model's error: it does not see machine load).
 */
export const LANE_GAIN = 1.15;

/**
 * Busiest-shard CPU seconds per virtual second of each scheme run on `shards` shards (the partitioner's model). Only
 * bare-metal has a topology of its own (every vCPU its own CPU), so at most two are built; topologies and partitions
 * come from the run's cache, so the runner reuses them.
 */
function schemeCosts(run: readonly SchemeId[], plans: RunPlanCache): (shards: number) => number[] {
  // Several lane counts share one width (8 shards: 5 to 8 lanes are all 1 shard wide), so each width is costed once.
  const byWidth = new Map<number, number[]>();
  return (shards) => {
    let costs = byWidth.get(shards);
    if (!costs) {
      costs = run.map((id) => {
        const e = plans.partition(runsBare(id), wholeVmsReason(id) !== null, shards).estimate;
        return Math.min(e.wholeCpu, e.splitCpu);
      });
      byWidth.set(shards, costs);
    }
    return costs;
  };
}

/** Longest-processing-time first over `lanes` lanes; ties go to the lower lane, then the lower scheme index. */
function lptLanes(cost: readonly number[], lanes: number): { lanes: number[][]; makespan: number } {
  const order = cost.map((_, i) => i).sort((a, b) => cost[b] - cost[a] || a - b);
  const out: number[][] = Array.from({ length: lanes }, () => []);
  const load = new Float64Array(lanes);
  for (const i of order) {
    let best = 0;
    for (let l = 1; l < lanes; l++) if (load[l] < load[best]) best = l;
    out[best].push(i);
    load[best] += cost[i];
  }
  for (const l of out) l.sort((a, b) => a - b); // each lane runs its schemes in run-list order
  return { lanes: out, makespan: Math.max(...load) };
}

/**
 * The lanes for running `run` on `shards` threads. One lane of all shards unless the scenario's partition is
 * `balanced` (the forced `split` and `spread` exist to exercise the synchronization) and more lanes of fewer shards
 * are estimated to finish LANE_GAIN × sooner.
 */
export function planLanes(s: Scenario, run: readonly SchemeId[], shards: number): LanePlan {
  return planLanesWith(run, shards, new RunPlanCache(s));
}

/** planLanes on the cache of a run (ParallelRun's), which keeps the topologies and partitions it builds. */
export function planLanesWith(run: readonly SchemeId[], shards: number, plans: RunPlanCache): LanePlan {
  const all = run.map((_, i) => i);
  if (shards < 2 || run.length < 2 || plans.scenario.engine.partition !== 'balanced')
    return { shardsPerLane: shards, lanes: [all], estimate: null };
  const costAt = schemeCosts(run, plans);
  const singleCpu = costAt(shards).reduce((a, b) => a + b, 0);
  let best: LanePlan = { shardsPerLane: shards, lanes: [all], estimate: { laneCpu: singleCpu, singleCpu } };
  let bestCpu = singleCpu;
  for (let lanes = 2; lanes <= Math.min(shards, run.length); lanes++) {
    const k = Math.floor(shards / lanes);
    const plan = lptLanes(costAt(k), lanes);
    if (plan.makespan * LANE_GAIN < bestCpu) {
      bestCpu = plan.makespan;
      best = { shardsPerLane: k, lanes: plan.lanes, estimate: { laneCpu: bestCpu, singleCpu } };
    }
  }
  return best;
}
