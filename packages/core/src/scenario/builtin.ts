// Built-in scenarios (`ivsim scenarios`). Each is plain scenario input, validated like a file.

import type { ScenarioInput } from './schema.ts';

/**
 * The consolidated host workload both *-compare scenarios run: two busy web VMs (4 vCPUs each, NIC queue per vCPU
 * at ~150K interrupts/s, IPIs between their vCPUs) and a database VM on pCPUs 8–9 that goes idle, with a moderated
 * NIC. One definition, so x86 and ARM results compare the same load.
 */
const consolidatedHost = {
  vms: [
    {
      name: 'web',
      count: 2,
      vcpus: 4,
      pin: 'spread',
      guest: { handler: { dist: 'exponential', mean: '1.2us' }, ipi: { rate: 2000 } },
    },
    {
      name: 'db',
      vcpus: 2,
      pin: [8, 9],
      guest: { handler: { dist: 'exponential', mean: '2us' }, idle: { activeMean: '2ms', idleMean: '1ms' } },
    },
  ],
  devices: [
    {
      name: 'nic',
      vm: 'web',
      kind: 'nic',
      queues: 'per-vcpu',
      vector: 0x41,
      arrival: { process: 'poisson', rate: 150_000 },
    },
    {
      name: 'nic',
      vm: 'db',
      kind: 'nic',
      queues: 'per-vcpu',
      vector: 0x41,
      arrival: { process: 'poisson', rate: 60_000 },
      moderation: { minInterval: '10us' },
    },
  ],
} satisfies Pick<ScenarioInput, 'vms' | 'devices'>;

const x86Compare: ScenarioInput = {
  name: 'x86-compare',
  description:
    'All five x86 schemes on one consolidated host (Nehalem/KVM costs, the ELI paper generation): two busy web VMs ' +
    'with an assigned NIC at ~150K interrupts/s per vCPU and IPIs, and a database VM whose vCPUs go idle (HLT).',
  arch: 'x86',
  schemes: ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'],
  seed: 42,
  duration: '250ms',
  cpu: { freqGHz: 2.93 },
  costs: { preset: 'nehalem-kvm' },
  host: { pcpus: 10, timerHz: 250, x2apic: true, schedSlice: '3ms' },
  // The ELI-era baseline: KVM's PV EOI arrived with Linux 3.6 (2012), after the paper's guests, so every EOI of
  // x86-vmx exits. The other built-ins use a modern guest (PV EOI on, the schema default).
  schemeOptions: { 'x86-vmx': { pvEoi: false } },
  ...consolidatedHost,
};

/** A tiny scenario for tests and smoke checks: one VM, 2 vCPUs, a NIC, idle periods and IPIs. */
const x86Small: ScenarioInput = {
  name: 'x86-small',
  description: 'Small x86 scenario (2 vCPUs, one NIC, idle periods, IPIs) for quick checks and tests.',
  arch: 'x86',
  schemes: ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'],
  seed: 7,
  duration: '20ms',
  cpu: { freqGHz: 2.1 },
  costs: { preset: 'xeon-e5-kvm' },
  host: { pcpus: 2, timerHz: 1000 },
  vms: [
    {
      name: 'vm',
      vcpus: 2,
      guest: {
        handler: { dist: 'exponential', mean: '2us' },
        idle: { activeMean: '1ms', idleMean: '300us' },
        ipi: { rate: 5000 },
      },
    },
    { name: 'noisy', vcpus: 1, pin: [1], guest: { handler: { dist: 'fixed', value: '1us' } } },
  ],
  devices: [
    { name: 'nic', vm: 'vm', queues: 'per-vcpu', vector: 0x41, arrival: { process: 'poisson', rate: 100_000 } },
  ],
};

/**
 * A cloud host at fleet scale for the parallel engine: 64 VMs × 16 vCPUs = 1,024 vCPUs on 512 pCPUs (2 vCPUs
 * per pCPU, each guest busy ~25% of the time), every vCPU with an assigned NIC queue at 20K interrupts/s and
 * IPIs between the vCPUs of its VM: ~4.5 M interrupts per scheme in 200 ms of virtual time, ≥ 10^7 per run
 * (bare-metal reference + two schemes).
 */
const fleet: ScenarioInput = {
  name: 'fleet',
  description:
    '1,024 vCPUs (64 VMs × 16) on 512 pCPUs with assigned NICs (20K interrupts/s per vCPU) and IPIs; x86-vmx vs ' +
    'x86-apicv-pi at fleet scale, for the parallel engine (≥ 10^7 interrupts per run).',
  arch: 'x86',
  schemes: ['x86-vmx', 'x86-apicv-pi'],
  seed: 2026,
  duration: '200ms',
  cpu: { freqGHz: 2.1 },
  costs: { preset: 'xeon-e5-kvm' },
  host: { pcpus: 512, timerHz: 250, x2apic: true, schedSlice: '3ms' },
  vms: [
    {
      name: 'tenant',
      count: 64,
      vcpus: 16,
      pin: 'spread',
      guest: {
        handler: { dist: 'exponential', mean: '1.5us' },
        idle: { activeMean: '200us', idleMean: '600us' },
        ipi: { rate: 1000 },
      },
    },
  ],
  devices: [
    {
      name: 'nic',
      vm: 'tenant',
      kind: 'nic',
      queues: 'per-vcpu',
      vector: 0x41,
      arrival: { process: 'poisson', rate: 20_000 },
    },
  ],
};

/**
 * The ARM counterpart of x86-compare: the same consolidated host and workload under KVM/ARM with VHE costs
 * (Dall et al. 2017 generation): GICv2, GICv3 and GICv4.1 against bare metal. 4 list registers (every Arm core).
 */
const armCompare: ScenarioInput = {
  name: 'arm-compare',
  description:
    'All four ARM schemes on one consolidated host (KVM/ARM VHE costs): two busy web VMs with an assigned NIC at ' +
    '~150K interrupts/s per vCPU and SGIs, and a database VM whose vCPUs go idle (WFI); 4 list registers.',
  arch: 'arm',
  schemes: ['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4'],
  seed: 42,
  duration: '200ms',
  cpu: { freqGHz: 2.0 },
  costs: { preset: 'arm-kvm-vhe' },
  host: { pcpus: 10, timerHz: 250, schedSlice: '3ms', gic: { listRegs: 4, v4: '4.1' } },
  ...consolidatedHost,
};

/**
 * List-register pressure: a multi-queue device whose 12 vectors all target vCPU 0 and fire together (periodic,
 * same phase), so every burst leaves 12 distinct interrupts pending at once — more than the 4 LRs of every Arm
 * core (docs/costs.md F27). Sweep the LR count with `ivsim sweep arm-lr-pressure --lrs 1,2,4,8,16` (lrSweep in core).
 */
const armLrPressure: ScenarioInput = {
  name: 'arm-lr-pressure',
  description:
    'Bursts of 12 distinct interrupts (a 12-vector device, all queues on vCPU 0, fired together every 100 µs) ' +
    'plus background NIC traffic: LR overflow and maintenance interrupts under GICv2/GICv3 with 4 LRs.',
  arch: 'arm',
  schemes: ['arm-gicv2', 'arm-gicv3'],
  seed: 11,
  duration: '50ms',
  cpu: { freqGHz: 2.0 },
  costs: { preset: 'arm-kvm-vhe' },
  host: { pcpus: 2, timerHz: 250, gic: { listRegs: 4 } },
  vms: [
    {
      name: 'vm',
      vcpus: 2,
      guest: { handler: { dist: 'exponential', mean: '800ns' }, ipi: { rate: 1000 } },
    },
  ],
  devices: [
    {
      name: 'mq',
      vm: 'vm',
      kind: 'nvme',
      queues: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      vector: 0x50,
      arrival: { process: 'periodic', rate: 10_000 },
    },
    { name: 'nic', vm: 'vm', kind: 'nic', vector: 0x41, arrival: { process: 'poisson', rate: 50_000 } },
  ],
};

/**
 * The NIC receive path for the moderation sweep (`ivsim sweep moderation-sweep`, core moderationSweep): a 2-vCPU VM
 * with an assigned multi-queue NIC, NAPI (512-entry rings, budget 64), Poisson packets at 250K/s per queue, ~1.5 µs of
 * stack work per packet and a 0.5 µs hard-IRQ handler (napi_schedule). Run as is it uses the adaptive ITR (ixgbe's
 * default, rx_itr_setting = 1); the sweep sets a fixed ITR interval per point.
 */
const napiNic = {
  vms: [
    {
      name: 'vm',
      vcpus: 2,
      pin: [0, 1],
      guest: { handler: { dist: 'exponential', mean: '1us' } },
    },
  ],
  devices: [
    {
      name: 'nic',
      vm: 'vm',
      kind: 'nic',
      queues: 'per-vcpu',
      vector: 0x41,
      arrival: { process: 'poisson', rate: 250_000 },
      moderation: { adaptive: true },
      napi: { ring: 512, budget: 64, perPacket: { dist: 'exponential', mean: '1.5us' } },
      handler: { dist: 'fixed', value: '500ns' },
    },
  ],
} satisfies Pick<ScenarioInput, 'vms' | 'devices'>;

const moderationSweepX86: ScenarioInput = {
  name: 'moderation-sweep',
  description:
    'NIC with NAPI and interrupt moderation under every x86 scheme (Xeon E5/KVM costs): 2 vCPUs, 250K packets/s per ' +
    'queue; `ivsim sweep moderation-sweep` trades interrupts for packet latency across ITR intervals.',
  arch: 'x86',
  schemes: ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'],
  seed: 19,
  duration: '20ms',
  cpu: { freqGHz: 2.1 },
  costs: { preset: 'xeon-e5-kvm' },
  host: { pcpus: 2, timerHz: 250, x2apic: true },
  ...napiNic,
};

const moderationSweepArm: ScenarioInput = {
  name: 'arm-moderation-sweep',
  description:
    'The moderation-sweep NIC under the ARM schemes (KVM/ARM VHE costs, 4 list registers, GICv4.1): ' +
    '`ivsim sweep arm-moderation-sweep` across ITR intervals.',
  arch: 'arm',
  schemes: ['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4'],
  seed: 19,
  duration: '20ms',
  cpu: { freqGHz: 2.0 },
  costs: { preset: 'arm-kvm-vhe' },
  host: { pcpus: 2, timerHz: 250, gic: { listRegs: 4, v4: '4.1' } },
  ...napiNic,
};

/**
 * Overcommit and blocking (DESIGN §15): 12 vCPUs on 4 pCPUs (3 per pCPU). Two web VMs (4 vCPUs each, spread) with
 * an assigned NIC queue per vCPU, IPIs and short idle periods, so their vCPUs block, get woken by their NIC, their
 * timer or an IPI and preempt the always-busy batch VM pinned one vCPU per pCPU; while a web vCPU waits
 * descheduled its NIC keeps posting. Host: CFS with wake-up preemption, KVM halt-polling at its defaults.
 */
const overcommitWorkload = {
  vms: [
    {
      name: 'web',
      count: 2,
      vcpus: 4,
      pin: 'spread',
      guest: {
        handler: { dist: 'exponential', mean: '1.5us' },
        idle: { activeMean: '200us', idleMean: '600us' },
        ipi: { rate: 2000 },
      },
    },
    { name: 'batch', vcpus: 4, pin: [0, 1, 2, 3], guest: { handler: { dist: 'fixed', value: '1us' } } },
  ],
  devices: [
    {
      name: 'nic',
      vm: 'web',
      kind: 'nic',
      queues: 'per-vcpu',
      vector: 0x41,
      arrival: { process: 'poisson', rate: 30_000 },
    },
  ],
} satisfies Pick<ScenarioInput, 'vms' | 'devices'>;

const overcommit: ScenarioInput = {
  name: 'overcommit',
  description:
    '12 vCPUs on 4 pCPUs: two web VMs with assigned NICs (30K interrupts/s per vCPU), IPIs and idle periods (HLT), ' +
    'and a busy batch VM; CFS wake-up preemption, KVM halt-polling, posted-interrupt SN and wake-up vector.',
  arch: 'x86',
  schemes: ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'],
  seed: 15,
  duration: '50ms',
  cpu: { freqGHz: 2.1 },
  costs: { preset: 'xeon-e5-kvm' },
  host: { pcpus: 4, timerHz: 250, x2apic: true, scheduler: 'cfs' },
  ...overcommitWorkload,
};

/** The ARM counterpart: the same workload under KVM/ARM (VHE costs), GICv3 against GICv4.1 (doorbells, vSGIs). */
const armOvercommit: ScenarioInput = {
  name: 'arm-overcommit',
  description:
    'The overcommit workload under KVM/ARM (VHE costs): 12 vCPUs on 4 pCPUs, so WFI traps and GICv4.1 vPEs are ' +
    'made non-resident with doorbells; vLPIs for descheduled vPEs wait in their VPT. Set host.gic.v4 "4.0" for ' +
    'per-vLPI doorbells.',
  arch: 'arm',
  schemes: ['bare-metal', 'arm-gicv3', 'arm-gicv4'],
  seed: 15,
  duration: '50ms',
  cpu: { freqGHz: 2.0 },
  costs: { preset: 'arm-kvm-vhe' },
  host: { pcpus: 4, timerHz: 250, scheduler: 'cfs', gic: { listRegs: 4, v4: '4.1' } },
  ...overcommitWorkload,
};

/**
 * IPI patterns (DESIGN §16): a 6-vCPU application VM whose guest sends unicast IPIs, rescheduling IPIs and TLB
 * shootdowns (each a broadcast to the other 5 vCPUs, the sender spinning until all have acknowledged), idles now
 * and then (so some targets are halted), with a NIC queue per vCPU; a 1-vCPU batch VM shares pCPU 5 with app
 * vCPU 5 (overcommit): every shootdown of vCPUs 0-4 targets vCPU 5, and while it is preempted the sender waits for
 * its next time slice — the lock-holder / IPI-target preemption of overcommitted hosts.
 */
const ipiPatternsWorkload = (arch: 'x86' | 'arm') =>
  ({
    vms: [
      {
        name: 'app',
        vcpus: 6,
        pin: [0, 1, 2, 3, 4, 5],
        guest: {
          handler: { dist: 'exponential', mean: '1us' },
          // ARM: the unicast IPI and the broadcast are both IPI_CALL_FUNC (SGI 1); rescheduling IPIs are SGI 0.
          ...(arch === 'x86' ? { ipi: { rate: 1000 } } : {}),
          resched: { rate: 2000 },
          tlbShootdown: { rate: 500 },
          idle: { activeMean: '2ms', idleMean: '500us' },
        },
      },
      { name: 'batch', vcpus: 1, pin: [5], guest: { handler: { dist: 'exponential', mean: '2us' } } },
    ],
    devices: [
      {
        name: 'nic',
        vm: 'app',
        kind: 'nic',
        queues: 'per-vcpu',
        vector: 0x41,
        arrival: { process: 'poisson', rate: 20_000 },
      },
    ],
  }) satisfies Pick<ScenarioInput, 'vms' | 'devices'>;

const ipiPatterns: ScenarioInput = {
  name: 'ipi-patterns',
  description:
    'IPI patterns on x86 (DESIGN §16): unicast, rescheduling and TLB-shootdown IPIs (broadcast to 5 vCPUs, the ' +
    'sender spinning until every target acknowledges) in a 6-vCPU VM, one of whose vCPUs shares its pCPU with a ' +
    'batch VM, under all five x86 schemes (Xeon E5 / KVM costs).',
  arch: 'x86',
  schemes: ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'],
  seed: 16,
  duration: '40ms',
  cpu: { freqGHz: 2.1 },
  costs: { preset: 'xeon-e5-kvm' },
  host: { pcpus: 6, timerHz: 250, x2apic: true, schedSlice: '3ms' },
  ...ipiPatternsWorkload('x86'),
};

const armIpiPatterns: ScenarioInput = {
  name: 'arm-ipi-patterns',
  description:
    'IPI patterns on ARM (DESIGN §16): rescheduling SGIs (IPI_RESCHEDULE) and call-function broadcasts with wait ' +
    '(IPI_CALL_FUNC, as flush_tlb_mm_range would send on x86) in a 6-vCPU VM partly overcommitted with a batch ' +
    'VM, under GICv2, GICv3 and GICv4.1 (direct vSGIs), arm-kvm-vhe costs.',
  arch: 'arm',
  schemes: ['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4'],
  seed: 16,
  duration: '40ms',
  cpu: { freqGHz: 2.0 },
  costs: { preset: 'arm-kvm-vhe' },
  host: { pcpus: 6, timerHz: 250, schedSlice: '3ms', gic: { listRegs: 4, v4: '4.1' } },
  ...ipiPatternsWorkload('arm'),
};

/**
 * AMD: the SVM exit-and-inject baseline (x86-vmx on the epyc-kvm preset: KVM's common x86 injection path, the SVM
 * round trip) against AVIC with the IOMMU's guest virtual APIC mode (x86-avic), xAPIC guests. Idle periods block
 * vCPUs (device interrupts then go through the GA log, IPIs to them take AVIC_INCOMPLETE_IPI exits) and a batch VM
 * shares two pCPUs (preempted vCPUs have IsRunning = 0).
 */
const amdCompare: ScenarioInput = {
  name: 'amd-compare',
  description: 'AMD SVM exit-and-inject (x86-vmx on epyc-kvm) vs AVIC + IOMMU GA mode (x86-avic), xAPIC guests.',
  arch: 'x86',
  schemes: ['bare-metal', 'x86-vmx', 'x86-avic'],
  seed: 11,
  duration: '50ms',
  cpu: { freqGHz: 2.25 },
  costs: { preset: 'epyc-kvm' },
  host: { pcpus: 4, timerHz: 250, x2apic: false },
  vms: [
    {
      name: 'web',
      vcpus: 4,
      guest: {
        handler: { dist: 'exponential', mean: '2us' },
        idle: { activeMean: '500us', idleMean: '200us' },
        ipi: { rate: 5000 },
      },
    },
    { name: 'batch', vcpus: 2, pin: [2, 3], guest: { handler: { dist: 'fixed', value: '1us' } } },
  ],
  devices: [
    { name: 'nic', vm: 'web', queues: 'per-vcpu', vector: 0x41, arrival: { process: 'poisson', rate: 80_000 } },
  ],
};

/**
 * One large VM whose IPIs are its load (DESIGN §16 patterns at high rates): 64 vCPUs on 64 pCPUs, each sending
 * 20 K unicast and 20 K rescheduling IPIs/s and 500 TLB shootdowns/s (broadcast to the 63 others, the sender
 * spinning for every acknowledgement), over a per-vCPU NIC queue at 50 K interrupts/s. The case for splitting a
 * VM across shards (DESIGN §10): nothing else can be handed to a second thread.
 */
const bigVm: ScenarioInput = {
  name: 'big-vm',
  description:
    'One IPI-heavy 64-vCPU VM on 64 pCPUs (unicast, rescheduling and TLB-shootdown IPIs, per-vCPU NIC queues): ' +
    'x86-vmx vs x86-apicv-pi, the case for splitting one VM across shards (DESIGN §10).',
  arch: 'x86',
  schemes: ['x86-vmx', 'x86-apicv-pi'],
  seed: 64,
  duration: '20ms',
  cpu: { freqGHz: 2.1 },
  costs: { preset: 'xeon-e5-kvm' },
  host: { pcpus: 64, timerHz: 250, x2apic: true, schedSlice: '3ms' },
  vms: [
    {
      name: 'big',
      vcpus: 64,
      pin: 'spread',
      guest: {
        handler: { dist: 'exponential', mean: '1us' },
        ipi: { rate: 20_000 },
        resched: { rate: 20_000 },
        tlbShootdown: { rate: 500 },
        idle: { activeMean: '2ms', idleMean: '200us' },
      },
    },
  ],
  devices: [
    {
      name: 'nic',
      vm: 'big',
      kind: 'nic',
      queues: 'per-vcpu',
      vector: 0x41,
      arrival: { process: 'poisson', rate: 50_000 },
    },
  ],
};

/**
 * The built-in scenarios by name (`ivsim scenarios` lists them): `x86-compare`, `x86-small`, `fleet`, `arm-compare`,
 * `arm-lr-pressure`, the moderation sweeps, the overcommit and IPI-pattern scenarios, `amd-compare`, `big-vm`. Inputs as
 * written (defaults implicit), ready for simulate() or runParallel(); copy before editing
 * (`{ ...BUILTIN_SCENARIOS[name], … }`).
 */
export const BUILTIN_SCENARIOS: Record<string, ScenarioInput> = {
  [x86Compare.name]: x86Compare,
  [x86Small.name]: x86Small,
  [fleet.name]: fleet,
  [armCompare.name]: armCompare,
  [armLrPressure.name]: armLrPressure,
  [moderationSweepX86.name]: moderationSweepX86,
  [moderationSweepArm.name]: moderationSweepArm,
  [overcommit.name]: overcommit,
  [armOvercommit.name]: armOvercommit,
  [amdCompare.name]: amdCompare,
  [ipiPatterns.name]: ipiPatterns,
  [armIpiPatterns.name]: armIpiPatterns,
  [bigVm.name]: bigVm,
};

/** The names of the built-in scenarios, in BUILTIN_SCENARIOS order. */
export function builtinScenarioNames(): string[] {
  return Object.keys(BUILTIN_SCENARIOS);
}
