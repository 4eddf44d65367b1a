// Regressions of issue #10's conservation failures on ARM: two sources of one VM on one vector. On ARM each source
// is its own INTID (the guest IPI an SGI, the timer PPI 27, each device queue one SPI/LPI with one target), so such
// a scenario is now refused at validation naming both fields; VMs of their own may reuse a vector (each has its
// own vgic), and those runs conserve and are identical across shard counts.

import { type Results, ScenarioError, type ScenarioInput, simulate, validateScenario } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { ParallelRun } from '../dist/runner.js';

const base = (patch: Partial<ScenarioInput> = {}): ScenarioInput => ({
  name: 'arm-vec',
  arch: 'arm',
  schemes: ['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4'],
  seed: 3,
  duration: '3ms',
  cpu: { freqGHz: 2 },
  costs: { preset: 'arm-kvm-vhe' },
  host: { pcpus: 2, timerHz: 1000 },
  vms: [
    {
      name: 'vm',
      vcpus: 2,
      guest: { ipi: { rate: 20_000, vector: 0x41 }, idle: { activeMean: '200us', idleMean: '100us' } },
    },
  ],
  devices: [{ name: 'nic', vm: 'vm', vector: 0x50, arrival: { process: 'poisson', rate: 50_000 } }],
  ...patch,
});

const refusal = (s: ScenarioInput): string => {
  try {
    validateScenario(s);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  return 'accepted';
};

describe('ARM: one vector per source within a VM', () => {
  it('a guest IPI vector equal to a device vector is refused, naming both fields', () => {
    const msg = refusal(
      base({ devices: [{ name: 'nic', vm: 'vm', vector: 0x41, arrival: { process: 'poisson', rate: 50_000 } }] }),
    );
    expect(msg).toMatch(
      /^scenario\.(devices\[0\]\.vector|vms\[0\]\.guest\.ipi\.vector): vector 65 of VM "vm" is already used by scenario\.(vms\[0\]\.guest\.ipi\.vector|devices\[0\]\.vector)/,
    );
  });

  it('a timer vector equal to a device vector is refused', () => {
    expect(refusal(base({ vms: [{ name: 'vm', vcpus: 2, guest: { timerVector: 0x50 } }] }))).toMatch(
      /scenario\.devices\[0\]\.vector: vector 80 of VM "vm" is already used by scenario\.vms\[0\]\.guest\.timerVector/,
    );
  });

  it('two devices of one VM sharing a vector for different vCPUs are refused', () => {
    const s = base({
      devices: [
        { name: 'a', vm: 'vm', queues: [0], vector: 0x50, arrival: { process: 'poisson', rate: 50_000 } },
        { name: 'b', vm: 'vm', queues: [1], vector: 0x50, arrival: { process: 'poisson', rate: 50_000 } },
      ],
    });
    expect(refusal(s)).toMatch(/scenario\.devices\[1\]\.vector: .* already used by scenario\.devices\[0\]\.vector/);
  });

  it('on x86 the same sharing is a shared vector: accepted, and it conserves', () => {
    const s = base({
      arch: 'x86',
      schemes: ['bare-metal', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'],
      costs: { preset: 'xeon-e5-kvm' },
      devices: [{ name: 'nic', vm: 'vm', vector: 0x41, arrival: { process: 'poisson', rate: 50_000 } }],
    });
    for (const x of simulate(s).schemes) expect(x.conservation.ok, x.scheme).toBe(true);
  });

  it('devices of several VMs on the same vector (GICv2 SPI 48 in each VM), spread partition: conserve, 1 = 2 = 4 shards', async () => {
    const s = base({
      host: { pcpus: 4, timerHz: 1000 },
      vms: [{ name: 'vm', count: 2, vcpus: 2, guest: { ipi: { rate: 20_000 } } }],
      devices: [{ name: 'nic', vm: 'vm', vector: 16, arrival: { process: 'poisson', rate: 50_000 } }],
      engine: { partition: 'spread' },
    });
    const ref = simulate(s);
    for (const x of ref.schemes) expect(x.conservation.ok, x.scheme).toBe(true);
    const strip = (r: Results) => JSON.stringify({ ...r, engine: undefined });
    for (const shards of [1, 2, 4]) expect(strip(await new ParallelRun(s, { shards }).run())).toBe(strip(ref));
  });
});
