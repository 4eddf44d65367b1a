// Maps a scenario onto live mode: which structure the threads exercise, the interrupt sources (what raises what, at
// which rate, into which vCPU), and which thread owns which source and vCPU.
//
// Used from the scenario: arch (x86 → the posted-interrupt descriptor as x86-apicv-pi uses it; arm → GICv3 list
// registers, host.gic.listRegs of them), the vCPUs of every VM instance, every device queue (target vCPU, vector,
// Poisson or periodic arrivals at its rate) and the guests' IPIs (`guest.ipi.rate` per vCPU: each vCPU of a VM with
// two or more vCPUs receives IPIs on `guest.ipi.vector` at that mean rate — the sender's random target choice
// averaged out). Ignored, because live mode measures the delivery structures on this machine's real cores and not
// the modelled hosts: pCPU count, pinning and time slices, cost presets and overrides, handler costs, guest idle
// periods and timers, interrupt moderation, schemeOptions, seed-determinism (the clock is the wall), duration (the
// run lasts --seconds).

import type { Scenario } from '@ivsim/core';
import { ARR_PERIODIC, buildTopology } from '@ivsim/core/internal';
import { MAX_LRS, MAX_VCPU_THREADS, SLOTS } from './layout.ts';

/** The structure a scenario maps to in live mode: 'pi' (x86 posted interrupts) or 'lr' (ARM list registers). */
export type LiveMode = 'pi' | 'lr';

/** One interrupt source in live mode: a device queue or a guest's IPIs into one vCPU. */
export interface LiveSource {
  /** The target vCPU (index in the topology). */
  vcpu: number;
  /** PI: the vector itself; LR: index among the vCPU's sources. */
  slot: number;
  /** x86 vector or ARM vINTID. */
  vector: number;
  /** What raises it. */
  kind: 'device' | 'ipi';
  /** Mean interval between raises, ns (after rate scaling). */
  meanNs: number;
  /** Periodic arrivals (else Poisson). */
  periodic: boolean;
  /** Poster thread that owns it (all sources of a vCPU share one poster: one writer per stamp / LR fill). */
  poster: number;
}

/** How live mode maps a scenario onto threads (livePlan). */
export interface LivePlan {
  /** The structure driven. */
  mode: LiveMode;
  /** The scheme whose structure it is. */
  scheme: 'x86-apicv-pi' | 'arm-gicv3';
  /** vCPUs of the topology. */
  vcpus: number;
  /** List registers per vCPU (ARM; host.gic.listRegs). */
  nrLr: number;
  /** Every interrupt source, with its poster thread. */
  sources: LiveSource[];
  /** Poster threads (⌊threads / 2⌋). */
  posters: number;
  /** Threads running vCPUs (the rest). */
  vcpuThreads: number;
  /** vCPU → the vCPU thread that runs it. */
  vcpuThread: number[];
  /** The scenario features live mode does not use (pinning, costs, moderation, …), named for the report. */
  ignored: string[];
}

/**
 * Maps a validated scenario onto live mode with `threads` threads in all, every arrival rate × `rateScale`: which
 * structure, which sources, which thread owns which source and vCPU, and what of the scenario is ignored.
 *
 * @throws Error when a vCPU has more interrupt sources than live mode's layout holds (SLOTS).
 */
export function livePlan(s: Scenario, threads: number, rateScale: number): LivePlan {
  const mode: LiveMode = s.arch === 'x86' ? 'pi' : 'lr';
  const topo = buildTopology(s, false);
  const vcpus = topo.vcpus.length;
  const posters = Math.max(1, Math.floor(threads / 2));
  const vcpuThreads = Math.min(MAX_VCPU_THREADS, Math.max(1, threads - posters), vcpus);
  const vcpuThread = Array.from({ length: vcpus }, (_, v) => v % vcpuThreads);
  const bySlot = new Map<string, LiveSource>();
  const perVcpu = new Array<number>(vcpus).fill(0);
  const add = (vcpu: number, vector: number, kind: 'device' | 'ipi', ratePerS: number, periodic: boolean) => {
    const key = `${vcpu}:${vector}`;
    const prev = bySlot.get(key);
    if (prev) {
      // Two sources of one (vCPU, vector) are one source at the summed rate (they would coalesce anyway).
      prev.meanNs = 1 / (1 / prev.meanNs + (ratePerS * rateScale) / 1e9);
      prev.periodic = false;
      return;
    }
    const slot = mode === 'pi' ? vector & 0xff : perVcpu[vcpu]++;
    if (slot >= SLOTS) throw new Error(`vCPU ${vcpu}: more than ${SLOTS} interrupt sources`);
    bySlot.set(key, {
      vcpu,
      slot,
      vector,
      kind,
      meanNs: 1e9 / (ratePerS * rateScale),
      periodic,
      poster: vcpu % posters,
    });
  };
  for (const q of topo.queues) {
    if (q.meanInterval === 0) continue; // trace and closed-loop queues have no rate to pace (see `ignored`)
    add(q.vcpu, q.vector, 'device', (s.cpu.freqGHz * 1e9) / q.meanInterval, q.process === ARR_PERIODIC);
  }
  for (const vm of topo.vms) {
    const g = s.vms[vm.spec].guest;
    if (!g.ipi || g.ipi.rate <= 0 || vm.vcpus < 2) continue;
    for (let j = 0; j < vm.vcpus; j++) add(vm.firstVcpu + j, g.ipi.vector, 'ipi', g.ipi.rate, false);
  }
  const sources = [...bySlot.values()];
  const ignored = [
    'pcpus/pinning/schedSlice (vCPUs run on the live vCPU threads)',
    'cost preset and overrides (real hardware timings)',
    'handler costs (EOI right after acknowledge)',
    'guest idle periods and timers',
    'device moderation, NAPI, trace and closed-loop arrivals',
    'schemeOptions',
    'duration (the run lasts --seconds)',
  ];
  return {
    mode,
    scheme: mode === 'pi' ? 'x86-apicv-pi' : 'arm-gicv3',
    vcpus,
    nrLr: Math.min(MAX_LRS, s.host.gic?.listRegs ?? 4),
    sources,
    posters,
    vcpuThreads,
    vcpuThread,
    ignored,
  };
}
