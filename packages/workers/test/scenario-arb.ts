// A fast-check generator of random *valid-looking* scenarios over the whole scenario surface: both architectures,
// several VMs (count > 1), overcommit (more vCPUs than pCPUs), explicit and spread pinning, multi-queue devices
// with moderation, idle guests, IPIs, rescheduling IPIs and shootdown broadcasts, interrupts-off sections, EOI position, APIC access patterns, vector choices
// that collide (legal on x86: a shared vector), LR counts, GICv4.0/4.1, every scheme option, every preset of the
// architecture and both partitions. Candidates the validator rejects are discarded by the properties (fc.pre), so
// what is tested is exactly "every accepted scenario".

import type { ScenarioInput } from '@ivsim/core';
import fc from 'fast-check';

const X86 = ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'];
const ARM = ['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4'];

const vector = fc.integer({ min: 0x20, max: 0xf0 });

const guestArb = fc.record({
  handlerNs: fc.integer({ min: 100, max: 20_000 }),
  dist: fc.constantFrom('exponential', 'fixed', 'uniform'),
  idle: fc.option(
    fc.record({ activeUs: fc.integer({ min: 20, max: 600 }), idleUs: fc.integer({ min: 20, max: 600 }) }),
  ),
  ipi: fc.option(fc.record({ rate: fc.integer({ min: 500, max: 60_000 }), vector })),
  // IPI patterns (DESIGN §16): rescheduling IPIs and broadcasts with wait, every x86 broadcast write.
  resched: fc.option(fc.record({ rate: fc.integer({ min: 500, max: 40_000 }), vector })),
  tlbShootdown: fc.option(
    fc.record({
      rate: fc.integer({ min: 200, max: 20_000 }),
      vector,
      handlerNs: fc.integer({ min: 50, max: 5_000 }),
      send: fc.constantFrom('shorthand', 'pv-send-ipi', 'per-target'),
    }),
  ),
  timerVector: vector,
  irqsOff: fc.option(
    fc.record({ rate: fc.integer({ min: 1_000, max: 50_000 }), lenNs: fc.integer({ min: 50, max: 20_000 }) }),
  ),
  eoi: fc.option(fc.constantFrom('start', 'end')),
  reads: fc.integer({ min: 0, max: 2 }),
  tpr: fc.integer({ min: 0, max: 2 }),
  icrReads: fc.integer({ min: 0, max: 1 }),
  timer: fc.constantFrom('auto', 'tsc-deadline', 'oneshot'),
});

const vmArb = fc.record({
  count: fc.integer({ min: 1, max: 2 }),
  vcpus: fc.integer({ min: 1, max: 4 }),
  explicitPin: fc.boolean(),
  guest: guestArb,
});

const deviceArb = fc.record({
  vm: fc.nat(),
  perVcpu: fc.boolean(),
  queues: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  vector,
  periodic: fc.boolean(),
  rate: fc.integer({ min: 1_000, max: 300_000 }),
  moderationNs: fc.option(fc.integer({ min: 500, max: 50_000 })),
  kind: fc.constantFrom('nic', 'nvme', 'generic'),
  // DESIGN §18: the arrival process, handler-work semantics, NAPI (nic only), frame count and adaptive moderation.
  process: fc.constantFrom('rate', 'rate', 'onoff', 'trace', 'closed'),
  work: fc.option(fc.constantFrom('per-interrupt', 'queued')),
  napi: fc.option(
    fc.record({
      ring: fc.integer({ min: 2, max: 64 }),
      budget: fc.integer({ min: 1, max: 64 }),
      perPacketNs: fc.integer({ min: 50, max: 3_000 }),
      appNs: fc.option(fc.integer({ min: 100, max: 5_000 })),
    }),
  ),
  frames: fc.option(fc.integer({ min: 1, max: 16 })),
  adaptive: fc.boolean(),
  clients: fc.integer({ min: 1, max: 8 }),
});

type DeviceDraw = {
  periodic: boolean;
  rate: number;
  process: string;
  clients: number;
  napi: { appNs: number | null } | null;
};

/** The drawn arrival process (a closed loop or a trace that the schema refuses is simply not accepted). */
function arrivalOf(d: DeviceDraw) {
  const period = 1e9 / d.rate;
  switch (d.process) {
    case 'onoff':
      return { process: 'onoff' as const, rate: d.rate, on: Math.round(20 * period), off: Math.round(40 * period) };
    case 'trace':
      return {
        process: 'trace' as const,
        times: Array.from({ length: 8 }, (_, k) => Math.round((k + 1) * period)),
        repeat: Math.round(9 * period),
      };
    case 'closed':
      return {
        process: 'closed' as const,
        clients: d.clients,
        think: { dist: 'exponential' as const, mean: Math.round(period) },
        ...(d.napi?.appNs != null ? { app: { dist: 'exponential' as const, mean: d.napi.appNs } } : {}),
      };
    default:
      return { process: d.periodic ? ('periodic' as const) : ('poisson' as const), rate: d.rate };
  }
}

export const scenarioArb: fc.Arbitrary<ScenarioInput> = fc
  .record({
    arm: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
    durationUs: fc.integer({ min: 500, max: 3_000 }),
    pcpus: fc.integer({ min: 1, max: 6 }),
    timerHz: fc.constantFrom(0, 250, 1000, 4000),
    sliceUs: fc.integer({ min: 30, max: 3_000 }),
    x2apic: fc.boolean(),
    listRegs: fc.integer({ min: 1, max: 16 }),
    v4: fc.constantFrom('4.0', '4.1'),
    presetPick: fc.nat(),
    vms: fc.array(vmArb, { minLength: 1, maxLength: 3 }),
    devices: fc.array(deviceArb, { minLength: 0, maxLength: 3 }),
    pvEoi: fc.boolean(),
    lapic: fc.constantFrom('kernel', 'userspace'),
    ipiv: fc.boolean(),
    wfi: fc.constantFrom('default', 'trap', 'notrap'),
    partition: fc.constantFrom('balanced', 'spread'),
  })
  .map((r): ScenarioInput => {
    const presets = r.arm ? ['arm-kvm-vhe', 'arm-kvm-split'] : ['xeon-e5-kvm', 'nehalem-kvm'];
    const vms = r.vms.map((v, i) => {
      const g = v.guest;
      // ARM: the unicast IPI and the broadcast are one INTID (SGI 1), so a VM has one of them (schema.ts).
      const sd = g.tlbShootdown && !(r.arm && g.ipi) ? g.tlbShootdown : null;
      const mean = g.handlerNs;
      const handler =
        g.dist === 'fixed'
          ? { dist: 'fixed' as const, value: mean }
          : g.dist === 'uniform'
            ? { dist: 'uniform' as const, min: Math.ceil(mean / 2), max: mean * 2 }
            : { dist: 'exponential' as const, mean };
      return {
        name: `vm${i}`,
        count: v.count,
        vcpus: v.vcpus,
        pin: v.explicitPin ? Array.from({ length: v.vcpus }, (_, j) => (i + j) % r.pcpus) : ('spread' as const),
        guest: {
          handler,
          idle: g.idle ? { activeMean: g.idle.activeUs * 1000, idleMean: g.idle.idleUs * 1000 } : undefined,
          ipi: g.ipi ? { rate: g.ipi.rate, vector: g.ipi.vector } : undefined,
          resched: g.resched ? { rate: g.resched.rate, vector: g.resched.vector } : undefined,
          tlbShootdown: sd
            ? {
                rate: sd.rate,
                vector: sd.vector,
                handler: { dist: 'fixed' as const, value: sd.handlerNs },
                ...(r.arm ? {} : { send: sd.send }),
              }
            : undefined,
          timerVector: g.timerVector,
          irqsOff: g.irqsOff
            ? { rate: g.irqsOff.rate, length: { dist: 'fixed' as const, value: g.irqsOff.lenNs } }
            : undefined,
          eoi: g.eoi ?? undefined,
          tprAccessesPerInterrupt: g.tpr,
          apic: { readsPerInterrupt: g.reads, icrReadsPerIpi: g.icrReads, timer: g.timer },
        },
      };
    });
    const devices = r.devices.map((d, j) => {
      const vm = vms[d.vm % vms.length];
      return {
        name: `dev${j}`,
        vm: vm.name,
        kind: d.kind,
        queues: d.perVcpu ? ('per-vcpu' as const) : d.queues.map((q) => q % vm.vcpus),
        vector: d.vector,
        arrival: arrivalOf(d),
        moderation:
          d.napi !== null && d.adaptive
            ? { adaptive: true }
            : d.moderationNs !== null
              ? { minInterval: d.moderationNs, ...(d.frames !== null ? { packets: d.frames } : {}) }
              : undefined,
        ...(d.napi === null && d.work !== null ? { work: d.work } : {}),
        ...(d.napi !== null
          ? {
              napi: {
                ring: Math.max(d.napi.ring, d.clients),
                budget: d.napi.budget,
                perPacket: { dist: 'exponential' as const, mean: d.napi.perPacketNs },
              },
            }
          : {}),
      };
    });
    return {
      name: 'prop',
      arch: r.arm ? 'arm' : 'x86',
      schemes: r.arm ? ARM : X86,
      seed: r.seed,
      duration: r.durationUs * 1000,
      cpu: { freqGHz: 2 },
      costs: { preset: presets[r.presetPick % presets.length] },
      host: {
        pcpus: r.pcpus,
        timerHz: r.timerHz,
        schedSlice: r.sliceUs * 1000,
        ...(r.arm ? { gic: { listRegs: r.listRegs, v4: r.v4 } } : { x2apic: r.x2apic }),
      },
      schemeOptions: {
        'x86-vmx': { pvEoi: r.pvEoi },
        'x86-emul': { lapic: r.lapic },
        'x86-apicv-pi': { ipiv: r.ipiv },
        'arm-gicv4': { wfiTrapPolicy: r.wfi },
      },
      vms,
      devices,
      engine: { partition: r.partition },
    } as ScenarioInput;
  });
