// Resolves a validated scenario into flat entity tables: VM instances, vCPUs with their pCPU, device queues.
// Entity ids (for tie-breaking and RNG streams) are global and independent of sharding:
//   pCPU p → p;  vCPU v → P + v;  device queue q → P + V + q.

import type { DistInput, Scenario } from '../scenario/schema.ts';
import { type DistSpec, makeSampler, type Sampler } from './distributions.ts';
import { KIND_CALL_FUNC, KIND_DEVICE, KIND_IPI, KIND_RESCHED, KIND_TIMER } from './vcpu.ts';

export interface VcpuDesc {
  vmInstance: number;
  vmSpec: number;
  vmVcpu: number;
  pcpu: number;
}

export interface QueueDesc {
  device: number;
  name: string;
  vcpu: number;
  vector: number;
  periodic: boolean;
  /** Mean interval between arrivals, cycles. */
  meanInterval: number;
  /** Interrupt moderation: minimum cycles between two interrupts of this queue (0 = off). */
  minInterval: number;
}

export interface VmInstance {
  name: string;
  spec: number;
  firstVcpu: number;
  vcpus: number;
  kinds: Uint8Array;
  handlers: Sampler[];
}

export interface Topology {
  pcpus: number;
  vcpus: VcpuDesc[];
  queues: QueueDesc[];
  vms: VmInstance[];
  freqGHz: number;
  durationCycles: number;
  tickPeriod: number;
  sliceCycles: number;
}

export const nsToCycles = (ns: number, freqGHz: number): number => Math.round(ns * freqGHz);

export function distToCycles(d: DistInput, f: number): DistSpec {
  switch (d.dist) {
    case 'fixed':
      return { kind: 'fixed', cycles: nsToCycles(d.value, f) };
    case 'exponential':
      return { kind: 'exponential', meanCycles: d.mean * f };
    case 'uniform':
      return { kind: 'uniform', minCycles: nsToCycles(d.min, f), maxCycles: nsToCycles(d.max, f) };
    case 'empirical':
      return { kind: 'empirical', cycles: d.values.map((v) => nsToCycles(v, f)), weights: d.weights };
  }
}

/** bareMetal: each vCPU is its own physical CPU (no consolidation, no overcommit). */
export function buildTopology(s: Scenario, bareMetal: boolean): Topology {
  const f = s.cpu.freqGHz;
  const vcpus: VcpuDesc[] = [];
  const vms: VmInstance[] = [];
  let spreadNext = 0;
  s.vms.forEach((spec, si) => {
    const g = spec.guest;
    for (let k = 0; k < spec.count; k++) {
      const kinds = new Uint8Array(256);
      const handlers: Sampler[] = new Array(256);
      const base = makeSampler(distToCycles(g.handler, f));
      for (let v = 0; v < 256; v++) handlers[v] = base;
      kinds[g.timerVector] = KIND_TIMER;
      handlers[g.timerVector] = makeSampler(distToCycles(g.timerHandler, f));
      // A single-vCPU VM sends no IPIs (the engine's IPI source needs another vCPU), so its IPI vector names
      // nothing and must not relabel a vector the timer or a device uses.
      if (g.ipi && spec.vcpus > 1) {
        kinds[g.ipi.vector] = KIND_IPI;
        if (g.ipi.handler) handlers[g.ipi.vector] = makeSampler(distToCycles(g.ipi.handler, f));
      }
      // IPI patterns (DESIGN §16): scheduler_ipi and the call-function handler of a broadcast.
      if (g.resched && spec.vcpus > 1) {
        kinds[g.resched.vector] = KIND_RESCHED;
        handlers[g.resched.vector] = makeSampler(distToCycles(g.resched.handler, f));
      }
      if (g.tlbShootdown && spec.vcpus > 1) {
        kinds[g.tlbShootdown.vector] = KIND_CALL_FUNC;
        handlers[g.tlbShootdown.vector] = makeSampler(distToCycles(g.tlbShootdown.handler, f));
      }
      const inst: VmInstance = {
        name: spec.count > 1 ? `${spec.name}#${k}` : spec.name,
        spec: si,
        firstVcpu: vcpus.length,
        vcpus: spec.vcpus,
        kinds,
        handlers,
      };
      for (let j = 0; j < spec.vcpus; j++) {
        const pcpu = bareMetal ? vcpus.length : Array.isArray(spec.pin) ? spec.pin[j] : spreadNext++ % s.host.pcpus;
        vcpus.push({ vmInstance: vms.length, vmSpec: si, vmVcpu: j, pcpu });
      }
      vms.push(inst);
    }
  });
  const queues: QueueDesc[] = [];
  // VM instances by spec name: one lookup per device (not a scan of every VM per device).
  const bySpecName = new Map<string, VmInstance[]>();
  for (const vm of vms) {
    const name = s.vms[vm.spec].name;
    const list = bySpecName.get(name);
    if (list) list.push(vm);
    else bySpecName.set(name, [vm]);
  }
  s.devices.forEach((d, di) => {
    (bySpecName.get(d.vm) ?? []).forEach((vm) => {
      const targets = d.queues === 'per-vcpu' ? Array.from({ length: vm.vcpus }, (_, i) => i) : d.queues;
      targets.forEach((t, qi) => {
        const vector = d.vector + qi;
        vm.kinds[vector] = KIND_DEVICE;
        if (d.handler) vm.handlers[vector] = makeSampler(distToCycles(d.handler, f));
        queues.push({
          device: di,
          name: `${d.name}@${vm.name}.q${qi}`,
          vcpu: vm.firstVcpu + t,
          vector,
          periodic: d.arrival.process === 'periodic',
          meanInterval: (f * 1e9) / d.arrival.rate,
          minInterval: d.moderation ? nsToCycles(d.moderation.minInterval, f) : 0,
        });
      });
    });
  });
  return {
    pcpus: bareMetal ? vcpus.length : s.host.pcpus,
    vcpus,
    queues,
    vms,
    freqGHz: f,
    durationCycles: nsToCycles(s.duration, f),
    tickPeriod: s.host.timerHz > 0 ? Math.round((f * 1e9) / s.host.timerHz) : 0,
    sliceCycles: nsToCycles(s.host.schedSlice, f),
  };
}
