// traceRun(scenario, scheme, untilNs, fn): one scheme on the calling thread with the engine's trace hook set, stopped
// at `untilNs` of virtual time — for `ivsim run --trace` (Perfetto) and debugging. The run is the single-threaded
// engine, so it sees every vCPU; its events are the same as any sharded run's (determinism, DESIGN §4).

import { EXIT_REASONS } from './hv/exit-reasons.ts';
import { composeRun } from './run/compose.ts';
import type { Scenario, SchemeId } from './scenario/schema.ts';
import type { TraceFn } from './sim/engine.ts';

/** What a trace consumer needs to name its tracks; times in the trace are cycles at `freqGHz`. */
export interface TraceLayout {
  /** The scheme traced. */
  scheme: SchemeId;
  /** CPU clock, GHz: trace times are cycles at this frequency. */
  freqGHz: number;
  /** pCPUs of the host. */
  pcpus: number;
  /** Per vCPU: its pCPU, VM name and index in the VM, and whether it was running (loaded) at time 0. */
  vcpus: { pcpu: number; vm: string; vmVcpu: number; runningAtStart: boolean }[];
  /** Per device queue (the `detail` of 'ASSERT'): device name, target vCPU, vector. */
  queues: { name: string; vcpu: number; vector: number }[];
  /** Exit reason names, indexed by the `detail` of 'EXIT'. */
  exitReasons: readonly string[];
}

/**
 * Runs `scheme` of a validated scenario up to `untilNs` (virtual); `observe(layout)` is called once the vCPUs are
 * placed and returns the function called for each path step: 'ASSERT' (a
 * device queue raises; detail = queue), 'HANDLER' (detail = vector, aux = raise time), 'IRET', 'EOI', 'EXIT' (detail
 * = reason), 'ENTRY', 'HALT_POLL', 'POLL_WAKE', 'BLOCK', 'WAKE', 'PREEMPT'. Times are cycles.
 */
export function traceRun(
  s: Scenario,
  scheme: SchemeId,
  untilNs: number,
  observe: (layout: TraceLayout) => TraceFn,
): TraceLayout {
  const sim = composeRun(s, scheme);
  const topo = sim.topo;
  sim.start();
  const layout: TraceLayout = {
    scheme,
    freqGHz: topo.freqGHz,
    pcpus: topo.pcpus,
    vcpus: topo.vcpus.map((d, i) => ({
      pcpu: d.pcpu,
      vm: topo.vms[d.vmInstance].name,
      vmVcpu: d.vmVcpu,
      runningAtStart: sim.pcpuCur[d.pcpu] === i,
    })),
    queues: topo.queues.map((q) => ({ name: q.name, vcpu: q.vcpu, vector: q.vector })),
    exitReasons: EXIT_REASONS,
  };
  sim.trace = observe(layout);
  const end = Math.min(topo.durationCycles, Math.ceil(untilNs * topo.freqGHz));
  sim.runUntil(end);
  sim.trace = null;
  return layout;
}
