// Built-in scenarios (`ivsim scenarios`). Each is plain scenario input, validated like a file.

import type { ScenarioInput } from './schema.ts';

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

export const BUILTIN_SCENARIOS: Record<string, ScenarioInput> = {
  [x86Compare.name]: x86Compare,
  [x86Small.name]: x86Small,
};

export function builtinScenarioNames(): string[] {
  return Object.keys(BUILTIN_SCENARIOS);
}
