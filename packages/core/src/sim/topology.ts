// Resolves a validated scenario into flat entity tables: VM instances, vCPUs with their pCPU, device queues.
// Entity ids (for tie-breaking and RNG streams) are global and independent of sharding:
//   pCPU p → p;  vCPU v → P + v;  device queue q → P + V + q.

import type { DeviceSpec, DistInput, Scenario } from '../scenario/schema.ts';
import { type DistSpec, makeSampler, type Sampler } from './distributions.ts';
import { KIND_CALL_FUNC, KIND_DEVICE, KIND_IPI, KIND_RESCHED, KIND_TIMER } from './vcpu.ts';

export interface VcpuDesc {
  vmInstance: number;
  vmSpec: number;
  vmVcpu: number;
  pcpu: number;
}

/** Arrival processes (schema `arrival.process`). */
export const ARR_POISSON = 0;
export const ARR_PERIODIC = 1;
export const ARR_ONOFF = 2;
export const ARR_TRACE = 3;
export const ARR_CLOSED = 4;

export interface QueueDesc {
  device: number;
  name: string;
  vcpu: number;
  vector: number;
  /** ARR_* */
  process: number;
  /** Mean interval between arrivals (while on, for on/off), cycles. */
  meanInterval: number;
  /** On/off source: mean on and off periods, cycles. */
  onMean: number;
  offMean: number;
  /** Trace: arrival times in cycles (ascending) and the replay period (0 = once). */
  trace: Float64Array | null;
  traceRepeat: number;
  /** Closed loop: client population and think-time sampler (queue's stream). */
  clients: number;
  think: Sampler | null;
  /** Closed loop: process-context work per request after the softirq (null: the response leaves at the softirq). */
  app: Sampler | null;
  /** Interrupt moderation: minimum cycles between two interrupts of this queue (0 = off). */
  minInterval: number;
  /** Moderation count: raise once this many events arrived since the last interrupt (0 = off). */
  maxFrames: number;
  /** Adaptive ITR (ixgbevf_set_itr after every NAPI poll). */
  adaptive: boolean;
  /** NAPI receive path (null: each event is handled by the interrupt handler itself). */
  napi: { ring: number; budget: number; perPacket: Sampler; packetBytes: number } | null;
}

export interface VmInstance {
  name: string;
  spec: number;
  firstVcpu: number;
  vcpus: number;
  kinds: Uint8Array;
  handlers: Sampler[];
  /** Per vector: 1 = per-interrupt handler work (a pure signal), 0 = queued (work accumulates per event). */
  perInterrupt: Uint8Array;
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

/** A device's handler-work semantics with its per-kind default (DESIGN §18): rings for nic/nvme, signals otherwise. */
export function deviceWork(d: DeviceSpec): 'per-interrupt' | 'queued' {
  return d.work ?? (d.kind === 'generic' ? 'per-interrupt' : 'queued');
}

const PROCESS: Record<DeviceSpec['arrival']['process'], number> = {
  poisson: ARR_POISSON,
  periodic: ARR_PERIODIC,
  onoff: ARR_ONOFF,
  trace: ARR_TRACE,
  closed: ARR_CLOSED,
};

function queueDesc(d: DeviceSpec, device: number, name: string, vcpu: number, vector: number, f: number): QueueDesc {
  const a = d.arrival;
  const m = d.moderation;
  return {
    device,
    name,
    vcpu,
    vector,
    process: PROCESS[a.process],
    meanInterval: a.process === 'poisson' || a.process === 'periodic' || a.process === 'onoff' ? (f * 1e9) / a.rate : 0,
    onMean: a.process === 'onoff' ? a.on * f : 0,
    offMean: a.process === 'onoff' ? a.off * f : 0,
    trace: a.process === 'trace' ? Float64Array.from(a.times, (ns) => Math.max(1, nsToCycles(ns, f))) : null,
    traceRepeat: a.process === 'trace' && a.repeat !== undefined ? nsToCycles(a.repeat, f) : 0,
    clients: a.process === 'closed' ? a.clients : 0,
    think: a.process === 'closed' ? makeSampler(distToCycles(a.think, f)) : null,
    app: a.process === 'closed' && a.app ? makeSampler(distToCycles(a.app, f)) : null,
    minInterval: m?.minInterval !== undefined ? nsToCycles(m.minInterval, f) : 0,
    maxFrames: m?.packets ?? 0,
    adaptive: m?.adaptive ?? false,
    napi: d.napi
      ? {
          ring: d.napi.ring,
          budget: d.napi.budget,
          perPacket: makeSampler(distToCycles(d.napi.perPacket, f)),
          packetBytes: d.napi.packetBytes,
        }
      : null,
  };
}

/** bareMetal: each vCPU is its own physical CPU (no consolidation, no overcommit). */
export function buildTopology(s: Scenario, bareMetal: boolean): Topology {
  const f = s.cpu.freqGHz;
  const vcpus: VcpuDesc[] = [];
  const vms: VmInstance[] = [];
  let spreadNext = 0;
  s.vms.forEach((spec, si) => {
    const g = spec.guest;
    // The instances of a spec share its vector tables (identical by construction, never written after setup):
    // at 10^5–10^6 vCPUs, 3 KB of tables per VM instance would be 20–200 MB per thread (DESIGN §19.10).
    const kinds = new Uint8Array(256);
    const handlers: Sampler[] = new Array(256);
    const base = makeSampler(distToCycles(g.handler, f));
    for (let v = 0; v < 256; v++) handlers[v] = base;
    // Guest timer and IPIs are pure signals: one handler run per delivered interrupt (DESIGN §18).
    const perInterrupt = new Uint8Array(256).fill(1);
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
    for (let k = 0; k < spec.count; k++) {
      const inst: VmInstance = {
        name: spec.count > 1 ? `${spec.name}#${k}` : spec.name,
        spec: si,
        firstVcpu: vcpus.length,
        vcpus: spec.vcpus,
        kinds,
        handlers,
        perInterrupt,
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
    const tablesDone = new Set<Uint8Array>(); // the spec's shared tables get the device's vectors once
    const handler = d.handler ? makeSampler(distToCycles(d.handler, f)) : null;
    (bySpecName.get(d.vm) ?? []).forEach((vm) => {
      const targets = d.queues === 'per-vcpu' ? Array.from({ length: vm.vcpus }, (_, i) => i) : d.queues;
      const first = !tablesDone.has(vm.kinds);
      tablesDone.add(vm.kinds);
      targets.forEach((t, qi) => {
        const vector = d.vector + qi;
        if (first) {
          vm.kinds[vector] = KIND_DEVICE;
          vm.perInterrupt[vector] = d.napi || deviceWork(d) === 'per-interrupt' ? 1 : 0;
          if (handler) vm.handlers[vector] = handler;
        }
        queues.push(queueDesc(d, di, `${d.name}@${vm.name}.q${qi}`, vm.firstVcpu + t, vector, f));
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
