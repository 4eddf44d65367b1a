// What a run will cost, estimated from the scenario alone before anything is built (DESIGN §14, resource guards):
// events (from the open-loop rates: device arrivals, IPIs, guest timers, host ticks and slices, interrupts-off
// sections) and memory (per vCPU, per VM instance, per device queue). The CLI refuses a run whose estimate exceeds
// the machine, naming the field that dominates it. The constants are measured on the built-in scenarios
// (test/scenario/estimate.test.ts keeps the event estimate within a factor of 3 of the real counts).

import type { DeviceSpec, DistInput, Scenario } from './schema.ts';

/**
 * Engine events per raised interrupt, all steps of a path included: with 5 the estimate is 1.0–1.7× the real count
 * on every built-in (it errs high).
 */
export const EVENTS_PER_INTERRUPT = 5;
/**
 * Heap bytes per vCPU per thread that builds it (its context, ledger offsets, scheme state and topology share), per VM
 * instance and per device queue; the arena is counted apart (ARENA_BYTES_PER_VCPU), because it is one
 * SharedArrayBuffer per run, outside every thread's heap limit. Per vCPU: the 10^6-vCPU fleet on 2 shards peaked at
 * 5.92 GiB RSS in all (DESIGN §19.10); less its 1.7 GB arena that is 4.3 GiB over three threads (the main thread and
 * two shards), ≈ 1.45 GiB per thread, where this estimate gives 2.15 GiB (1.5 KiB per vCPU + the VMs and queues):
 * it errs high by ~50 %, as a guard should, and counts every vCPU on every thread although a shard builds only its
 * own VMs. (It was 3 KiB per vCPU with the arena inside, and 8 KiB before shards built only their own VMs.)
 */
export const BYTES_PER_VCPU = 1536;
/**
 * Shared-arena bytes per vCPU (mem/vcpu-block.ts: the regions the run's schemes declare, 128–384 B on the built-ins,
 * + 40 B per vector the widest VM uses): 1.7 KB measured on the 10^6-vCPU fleet when every block was 1 KiB, 976 B by
 * its declared layout now; 2 KiB errs high.
 */
export const ARENA_BYTES_PER_VCPU = 2048;
export const BYTES_PER_VM = 4 * 1024;
export const BYTES_PER_QUEUE = 512;
/** Fixed cost of one engine instance (histograms, counters, event queue), bytes. */
export const BYTES_BASE = 4 * 1024 * 1024;

/** Mean of a distribution, ns. */
function distMean(d: DistInput): number {
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'exponential':
      return d.mean;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'empirical': {
      const w = d.weights ?? d.values.map(() => 1);
      const tw = w.reduce((a, b) => a + b, 0);
      return d.values.reduce((a, v, k) => a + v * w[k], 0) / tw;
    }
  }
}

/** Events per second one queue of this arrival process raises (an upper bound for a closed loop). */
function arrivalRate(a: DeviceSpec['arrival'], durationNs: number): number {
  switch (a.process) {
    case 'poisson':
    case 'periodic':
      return a.rate;
    case 'onoff':
      return (a.rate * a.on) / (a.on + a.off);
    case 'trace':
      return (a.times.length * 1e9) / (a.repeat ?? Math.max(durationNs, 1));
    case 'closed':
      return (a.clients * 1e9) / Math.max(distMean(a.think), 1);
  }
}

/** One source of engine events in a run estimate. */
export interface EstimateContributor {
  /** Scenario path of the field that drives these events, e.g. `scenario.devices[0].arrival.rate`. */
  path: string;
  /** Engine events per simulated second (one scheme). */
  eventsPerSecond: number;
}

/** What a run will cost before it starts (estimateRun): events and memory; the CLI's resource guard reads it. */
export interface RunEstimate {
  /** Engine events per simulated second of one scheme. */
  eventsPerSecond: number;
  /** Total engine events of the run (every scheme simulated, the bare-metal reference included). */
  events: number;
  /** Heap bytes one engine instance needs on its thread (every shard builds the whole topology). */
  bytesPerEngine: number;
  /** Bytes of the run's shared arena (one SharedArrayBuffer per run, outside the threads' heaps). */
  sharedBytes: number;
  /** vCPUs of the whole topology. */
  vcpus: number;
  /** Device queues of the whole topology. */
  queues: number;
  /** Event sources, largest first. */
  contributors: EstimateContributor[];
  /** The VM spec with the most vCPUs (count × vcpus), for memory messages. */
  largestVm: { path: string; vcpus: number };
}

/** Estimates events and memory of running `schemesRun` schemes of a validated scenario. */
export function estimateRun(s: Scenario, schemesRun: number): RunEstimate {
  const contributors: EstimateContributor[] = [];
  const add = (path: string, eps: number) => {
    if (eps > 0) contributors.push({ path: `scenario.${path}`, eventsPerSecond: eps });
  };
  let vcpus = 0;
  let vmInstances = 0;
  let largestVm = { path: 'scenario.vms[0].count', vcpus: 0 };
  const instancesByName = new Map<string, { count: number; vcpus: number }>();
  s.vms.forEach((vm, i) => {
    const n = vm.count * vm.vcpus;
    vcpus += n;
    vmInstances += vm.count;
    if (n > largestVm.vcpus) largestVm = { path: `scenario.vms[${i}].${vm.count > 1 ? 'count' : 'vcpus'}`, vcpus: n };
    if (!instancesByName.has(vm.name)) instancesByName.set(vm.name, { count: vm.count, vcpus: vm.vcpus });
    const g = vm.guest;
    if (g.ipi && g.ipi.rate > 0 && vm.vcpus > 1) add(`vms[${i}].guest.ipi.rate`, g.ipi.rate * n * EVENTS_PER_INTERRUPT);
    if (g.resched && g.resched.rate > 0 && vm.vcpus > 1)
      add(`vms[${i}].guest.resched.rate`, g.resched.rate * n * EVENTS_PER_INTERRUPT);
    // A broadcast: its intent, then per target the interrupt's path and the acknowledgement (DESIGN §16).
    if (g.tlbShootdown && g.tlbShootdown.rate > 0 && vm.vcpus > 1)
      add(
        `vms[${i}].guest.tlbShootdown.rate`,
        g.tlbShootdown.rate * n * (1 + (vm.vcpus - 1) * (EVENTS_PER_INTERRUPT + 1)),
      );
    if (g.idle) {
      // One idle period per active+idle cycle: begin, timer, the timer interrupt's path.
      const perSec = 1e9 / (g.idle.activeMean + g.idle.idleMean);
      add(`vms[${i}].guest.idle`, perSec * n * (2 + EVENTS_PER_INTERRUPT));
    }
    if (g.irqsOff) add(`vms[${i}].guest.irqsOff.rate`, g.irqsOff.rate * n * 3);
  });
  let queues = 0;
  s.devices.forEach((d, i) => {
    const vm = instancesByName.get(d.vm);
    if (!vm) return;
    const q = (d.queues === 'per-vcpu' ? vm.vcpus : d.queues.length) * vm.count;
    queues += q;
    // A moderated queue raises at most one interrupt per minInterval (its arrivals are still events).
    // Arrival intervals are at least one cycle.
    const perQueue = Math.min(arrivalRate(d.arrival, s.duration), s.cpu.freqGHz * 1e9);
    const minI = d.moderation?.minInterval ?? 0;
    const irqs = minI > 0 ? Math.min(perQueue, 1e9 / minI) : perQueue;
    const separate = d.moderation !== undefined || d.napi !== undefined; // arrivals are events of their own
    const field = d.arrival.process === 'trace' ? 'times' : d.arrival.process === 'closed' ? 'clients' : 'rate';
    add(`devices[${i}].arrival.${field}`, q * (irqs * EVENTS_PER_INTERRUPT + (separate ? perQueue : 0)));
  });
  add('host.timerHz', s.host.pcpus * s.host.timerHz * EVENTS_PER_INTERRUPT);
  if (vcpus > s.host.pcpus) add('host.schedSlice', (Math.min(s.host.pcpus, vcpus) * 1e9) / s.host.schedSlice);
  contributors.sort((a, b) => b.eventsPerSecond - a.eventsPerSecond);
  const eventsPerSecond = contributors.reduce((a, c) => a + c.eventsPerSecond, 0);
  const bytesPerEngine = BYTES_BASE + vcpus * BYTES_PER_VCPU + vmInstances * BYTES_PER_VM + queues * BYTES_PER_QUEUE;
  return {
    eventsPerSecond,
    events: eventsPerSecond * (s.duration / 1e9) * schemesRun,
    bytesPerEngine,
    sharedBytes: vcpus * ARENA_BYTES_PER_VCPU,
    vcpus,
    queues,
    contributors,
    largestVm,
  };
}
