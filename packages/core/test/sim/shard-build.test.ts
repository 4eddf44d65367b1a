// A shard builds the vCPU contexts of the VMs it has a vCPU of, not every vCPU's (DESIGN §19.10).

import { describe, expect, it } from 'vitest';
import { composeRun } from '../../src/run/compose.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import type { Sim } from '../../src/sim/engine.ts';
import { microScenario } from '../helpers.ts';

// Three VMs of two vCPUs, one per pCPU: VM a on pCPUs 0-1, b on 2-3, c on 4-5.
const scenario = validateScenario(
  microScenario('x86-apicv-pi', {
    host: { pcpus: 6, timerHz: 0 },
    vms: [
      { name: 'a', vcpus: 2, pin: [0, 1], guest: { handler: { dist: 'fixed', value: '1us' }, ipi: { rate: 1000 } } },
      { name: 'b', vcpus: 2, pin: [2, 3], guest: { handler: { dist: 'fixed', value: '1us' }, ipi: { rate: 1000 } } },
      { name: 'c', vcpus: 2, pin: [4, 5], guest: { handler: { dist: 'fixed', value: '1us' }, ipi: { rate: 1000 } } },
    ],
    devices: [],
  }),
);

function shardSim(pcpuOwner: number[], self: number): Sim {
  return composeRun(scenario, 'x86-apicv-pi', {
    shard: { pcpuOwner: Int32Array.from(pcpuOwner), self, send: () => {} },
  });
}

const built = (sim: Sim) => sim.vcpus.flatMap((vc, i) => (vc === undefined ? [] : [i]));

describe('shard construction', () => {
  it('builds its own VMs only; a VM split across shards is built whole on both (send targets)', () => {
    // Shard 0 owns VM a and half of VM b; shard 1 the other half of b and VM c.
    const owner = [0, 0, 0, 1, 1, 1];
    const s0 = shardSim(owner, 0);
    const s1 = shardSim(owner, 1);
    expect(built(s0)).toEqual([0, 1, 2, 3]);
    expect(s0.ownVcpus.map((vc) => vc.index)).toEqual([0, 1, 2]);
    expect(built(s1)).toEqual([2, 3, 4, 5]);
    expect(s1.ownVcpus.map((vc) => vc.index)).toEqual([3, 4, 5]);
    expect(s0.vcpus).toHaveLength(6);
  });

  it('unsharded, every vCPU is built and owned', () => {
    const sim = composeRun(scenario, 'x86-apicv-pi');
    expect(built(sim)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sim.ownVcpus).toEqual(sim.vcpus);
  });
});
