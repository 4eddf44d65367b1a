// Splits the host among shards. A shard owns whole pCPUs with the vCPUs pinned to them and the device queues that
// target those vCPUs, so the only traffic between shards is an IPI (or a csd acknowledgement) between vCPUs of one
// VM that landed on different shards. Three modes (`engine.partition`), all giving the same results — the
// partition only decides which thread computes what:
//   - `balanced` (default): whole VMs by longest-processing-time first, unless the cost model below says that
//     splitting the VMs heavier than one shard's share makes the busiest thread finish sooner;
//   - `split`: always that split plan (to measure it, or to exercise split VMs in tests);
//   - `spread`: pCPUs dealt round-robin (a synchronization stress test).
// A scheme whose descriptor says `wholeVms` (x86-avic: its IPI write reads the target's IsRunning as it is made)
// never has a VM split: `balanced` and `split` take the whole plan, `spread` deals whole VM groups round-robin.
//
// Cost model (DESIGN §10, where the constants are derived): a thread's CPU time per virtual second is
//   eventCost × (events it processes per virtual second) + windowCost × (windows per virtual second).
// Without a split VM nothing crosses and there are no windows (lookahead ∞). Once any VM spans shards, every shard
// meets at the barrier at most once per lookahead L of virtual time (windows start at the global next event, so
// never more windows than events). Splitting pays when the busiest shard's saved event time exceeds the windows'
// cost: roughly when the run produces more than 2 × windowCost / eventCost events per lookahead on 2 shards.
// The function is pure (scenario, topology, shard count, lookahead → pCPU owner), so every shard and the runner
// compute the same partition, and a shard's vCPUs are `pcpuOwner[topo.vcpus[v].pcpu]`.

import { resolveCosts, type Scenario } from '@ivsim/core';
import { crossShardLookahead, type Topology } from '@ivsim/core/internal';

/** The measured constants of the cost model (see `PARTITION_COSTS`). */
export interface PartitionCosts {
  /** CPU nanoseconds one engine event costs on one thread. */
  eventNs: number;
  /** CPU nanoseconds one window costs each shard: publish, barrier crossing, drain, loop re-entry. */
  windowNs: number;
  /** Engine events per unit of `pcpuLoad` (its rates count interrupts and sends, not every event they cause). */
  eventsPerLoadUnit: number;
}

/**
 * Measured on this project's 2-core machine, 2026-12-01 (derivations in DESIGN §10): `eventNs` from the 1-shard run
 * of big-vm (0.9 µs per event whole-run; x86-compare warm is 0.35 µs), `windowNs` from the same run split on 2
 * shards at load average 2–3 (≈ 4 µs of CPU per window beyond the events; the idle-machine barrier alone is
 * 0.15–0.4 µs, docs/machine-limits.md §2.7, and at load average 12–20 a window measured 93–330 µs).
 * `eventsPerLoadUnit`: engine events per unit of `pcpuLoad` on the built-ins (1.7–2.9).
 */
export const PARTITION_COSTS: PartitionCosts = { eventNs: 900, windowNs: 4000, eventsPerLoadUnit: 2.1 };

export interface Partition {
  shards: number;
  /** pCPU → shard. */
  pcpuOwner: Int32Array;
  /** Estimated load per shard, in `pcpuLoad` units (interrupts and sends per second). */
  load: Float64Array;
  /** True when some VM has vCPUs on two shards, i.e. IPIs can cross. */
  crossTraffic: boolean;
  /** The cost model's figures for both plans (CPU seconds of the busiest shard per virtual second). */
  estimate: { wholeCpu: number; splitCpu: number; eventsPerWindow: number };
}

/** Estimated rate (per second) of interrupts and sends each pCPU generates: devices, IPIs, idle, ticks. */
export function pcpuLoad(s: Scenario, topo: Topology): Float64Array {
  const w = new Float64Array(topo.pcpus);
  for (let p = 0; p < topo.pcpus; p++) w[p] = s.host.timerHz + 1;
  const hz = topo.freqGHz * 1e9;
  for (const q of topo.queues) w[topo.vcpus[q.vcpu].pcpu] += hz / Math.max(q.meanInterval, q.minInterval, 1);
  for (const d of topo.vcpus) {
    const g = s.vms[d.vmSpec].guest;
    const others = topo.vms[d.vmInstance].vcpus - 1;
    // A unicast or rescheduling IPI: the send and the arrival. A shootdown: n IPIs, n handlers, n acks.
    const sends = (g.ipi?.rate ?? 0) * 2 + (g.resched?.rate ?? 0) * 2 + (g.tlbShootdown?.rate ?? 0) * 3 * others;
    w[d.pcpu] += (others > 0 ? sends : 0) + (g.idle ? 1e9 / (g.idle.activeMean + g.idle.idleMean) : 0);
  }
  return w;
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/** Groups of pCPUs that share a VM (an IPI can only go between vCPUs of the same VM), each in pCPU order. */
function vmComponents(topo: Topology): number[][] {
  const parent = Int32Array.from({ length: topo.pcpus }, (_, i) => i);
  for (const vm of topo.vms) {
    for (let j = 1; j < vm.vcpus; j++) {
      // Both roots afresh each time: an earlier union of this VM may have moved the first vCPU's root.
      const a = find(parent, topo.vcpus[vm.firstVcpu].pcpu);
      const b = find(parent, topo.vcpus[vm.firstVcpu + j].pcpu);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const groups = new Map<number, number[]>();
  for (let p = 0; p < topo.pcpus; p++) {
    const r = find(parent, p);
    const g = groups.get(r);
    if (g) g.push(p);
    else groups.set(r, [p]);
  }
  return [...groups.values()];
}

interface Plan {
  owner: Int32Array;
  load: Float64Array;
}

/** Longest-processing-time first: each item (a set of pCPUs) to the least-loaded shard; ties to the lower index. */
function lpt(items: number[][], w: Float64Array, pcpus: number, n: number): Plan {
  const weighted = items.map((ps) => ({ ps, weight: ps.reduce((a, p) => a + w[p], 0) }));
  weighted.sort((a, b) => b.weight - a.weight || a.ps[0] - b.ps[0]);
  const owner = new Int32Array(pcpus);
  const load = new Float64Array(n);
  for (const c of weighted) {
    let best = 0;
    for (let k = 1; k < n; k++) if (load[k] < load[best]) best = k;
    for (const p of c.ps) owner[p] = best;
    load[best] += c.weight;
  }
  return { owner, load };
}

/**
 * The split plan: a VM group heavier than one shard's share (total / n) is cut into runs of consecutive pCPUs,
 * each at most a share, so a 64-vCPU VM on 2 shards becomes two halves; lighter groups stay whole. LPT then
 * places all pieces.
 */
function splitItems(groups: number[][], w: Float64Array, n: number): number[][] {
  let total = 0;
  for (let p = 0; p < w.length; p++) total += w[p];
  const share = total / n;
  const items: number[][] = [];
  for (const g of groups) {
    const weight = g.reduce((a, p) => a + w[p], 0);
    if (weight <= share || g.length === 1) {
      items.push(g);
      continue;
    }
    const pieces = Math.min(g.length, Math.ceil(weight / share - 1e-9));
    // Cut at the cumulative-weight quantiles k·weight/pieces, keeping pCPU order.
    let piece: number[] = [];
    let acc = 0;
    let k = 1;
    for (const p of g) {
      piece.push(p);
      acc += w[p];
      if (k < pieces && acc >= (k * weight) / pieces) {
        items.push(piece);
        piece = [];
        k++;
      }
    }
    if (piece.length > 0) items.push(piece);
  }
  return items;
}

function crosses(topo: Topology, owner: Int32Array): boolean {
  for (const vm of topo.vms) {
    const home = owner[topo.vcpus[vm.firstVcpu].pcpu];
    for (let j = 1; j < vm.vcpus; j++) if (owner[topo.vcpus[vm.firstVcpu + j].pcpu] !== home) return true;
  }
  return false;
}

const maxOf = (a: Float64Array) => a.reduce((m, x) => Math.max(m, x), 0);

/**
 * pCPU → shard for a run on `shards` threads. `lookahead` is the cross-shard lookahead in cycles (default the
 * scenario's `crossShardLookahead`); `costs` the cost model's constants (tests pass their own).
 */
export function partition(
  s: Scenario,
  topo: Topology,
  shards: number,
  lookahead = crossShardLookahead(resolveCosts(s)),
  wholeVms = false,
  costs: PartitionCosts = PARTITION_COSTS,
): Partition {
  const n = Math.max(1, Math.min(shards, topo.pcpus));
  const w = pcpuLoad(s, topo);
  let total = 0;
  for (let p = 0; p < topo.pcpus; p++) total += w[p];
  const events = total * costs.eventsPerLoadUnit; // engine events per virtual second
  const windowsPerSec = Math.min(events, (topo.freqGHz * 1e9) / lookahead);
  const cpu = (plan: Plan, windowed: boolean) =>
    (maxOf(plan.load) * costs.eventsPerLoadUnit * costs.eventNs + (windowed ? windowsPerSec * costs.windowNs : 0)) /
    1e9;
  const estimateOf = (wholeCpu: number, splitCpu: number) => ({
    wholeCpu,
    splitCpu,
    eventsPerWindow: events / windowsPerSec,
  });

  const groups = vmComponents(topo);
  if (s.engine.partition === 'spread') {
    // Deal pCPUs round-robin — or, for a scheme that keeps its VMs whole, whole VM groups.
    const items = wholeVms ? groups : Array.from({ length: topo.pcpus }, (_, p) => [p]);
    const owner = new Int32Array(topo.pcpus);
    const load = new Float64Array(n);
    items.forEach((ps, i) => {
      for (const p of ps) {
        owner[p] = i % n;
        load[i % n] += w[p];
      }
    });
    const crossTraffic = crosses(topo, owner);
    const c = cpu({ owner, load }, crossTraffic);
    return { shards: n, pcpuOwner: owner, load, crossTraffic, estimate: estimateOf(c, c) };
  }
  const whole = lpt(groups, w, topo.pcpus, n);
  // A scheme that keeps its VMs whole has no split plan: the whole one is both.
  const split = n > 1 && !wholeVms ? lpt(splitItems(groups, w, n), w, topo.pcpus, n) : whole;
  const splitCrosses = crosses(topo, split.owner);
  const wholeCpu = cpu(whole, false);
  const splitCpu = cpu(split, splitCrosses);
  const useSplit = (s.engine.partition === 'split' || splitCpu < wholeCpu) && split !== whole;
  const plan = useSplit ? split : whole;
  return {
    shards: n,
    pcpuOwner: plan.owner,
    load: plan.load,
    crossTraffic: useSplit ? splitCrosses : crosses(topo, whole.owner),
    estimate: estimateOf(wholeCpu, splitCpu),
  };
}
