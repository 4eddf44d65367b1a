// Splits the host among shards. A shard owns whole pCPUs with the vCPUs pinned to them and the device queues
// that target those vCPUs, so the only traffic between shards is an IPI between vCPUs of one VM that landed on
// different shards. `balanced` keeps every VM on one shard (then nothing ever crosses and the lookahead is
// unbounded); `spread` deals pCPUs round-robin so that IPIs do cross (synchronization
// stress test). Either way the results are the same: the partition only decides which thread computes what.

import type { Scenario } from '@ivsim/core';
import type { Topology } from '@ivsim/core/internal';

export interface Partition {
  shards: number;
  /** pCPU → shard. */
  pcpuOwner: Int32Array;
  /** Estimated load (events/s) per shard. */
  load: Float64Array;
  /** True when some VM has vCPUs on two shards, i.e. IPIs can cross. */
  crossTraffic: boolean;
}

/** Estimated event rate each pCPU generates: device interrupts, IPIs, guest timers and host ticks. */
export function pcpuLoad(s: Scenario, topo: Topology): Float64Array {
  const w = new Float64Array(topo.pcpus);
  for (let p = 0; p < topo.pcpus; p++) w[p] = s.host.timerHz + 1;
  const hz = topo.freqGHz * 1e9;
  for (const q of topo.queues) w[topo.vcpus[q.vcpu].pcpu] += hz / Math.max(q.meanInterval, q.minInterval, 1);
  for (const d of topo.vcpus) {
    const g = s.vms[d.vmSpec].guest;
    w[d.pcpu] += (g.ipi?.rate ?? 0) * 2 + (g.idle ? 1e9 / (g.idle.activeMean + g.idle.idleMean) : 0);
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

/** Groups of pCPUs that share a VM (an IPI can only go between vCPUs of the same VM). */
function vmComponents(topo: Topology): number[][] {
  const parent = Int32Array.from({ length: topo.pcpus }, (_, i) => i);
  for (const vm of topo.vms) {
    const a = find(parent, topo.vcpus[vm.firstVcpu].pcpu);
    for (let j = 1; j < vm.vcpus; j++) {
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

export function partition(s: Scenario, topo: Topology, shards: number): Partition {
  const n = Math.max(1, Math.min(shards, topo.pcpus));
  const w = pcpuLoad(s, topo);
  const owner = new Int32Array(topo.pcpus);
  const load = new Float64Array(n);
  if (s.engine.partition === 'spread') {
    for (let p = 0; p < topo.pcpus; p++) {
      owner[p] = p % n;
      load[p % n] += w[p];
    }
  } else {
    // Longest-processing-time first over whole VM components. A VM is never split: its IPIs would then cross
    // shards and every window could be no longer than the IPI latency (~0.5 µs of virtual time, a handful of
    // events), so the barrier would cost more than the work it separates. With fewer VM groups than shards some
    // shards stay idle; `spread` is the way to force cross-shard traffic.
    const items = vmComponents(topo).map((pcpus) => ({ pcpus, weight: pcpus.reduce((a, p) => a + w[p], 0) }));
    items.sort((a, b) => b.weight - a.weight || a.pcpus[0] - b.pcpus[0]);
    for (const c of items) {
      let best = 0;
      for (let k = 1; k < n; k++) if (load[k] < load[best]) best = k;
      for (const p of c.pcpus) owner[p] = best;
      load[best] += c.weight;
    }
  }
  let crossTraffic = false;
  for (const vm of topo.vms) {
    const home = owner[topo.vcpus[vm.firstVcpu].pcpu];
    for (let j = 1; j < vm.vcpus; j++) if (owner[topo.vcpus[vm.firstVcpu + j].pcpu] !== home) crossTraffic = true;
  }
  return { shards: n, pcpuOwner: owner, load, crossTraffic };
}
