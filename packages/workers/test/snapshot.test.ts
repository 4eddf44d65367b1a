// The snapshot reader finds each region of a vCPU block at the offsets of the run's layout (DESIGN §19.12), which
// depend on the regions the run's schemes declare: the same words the owning engine wrote, whatever the set.

import { BUILTIN_SCENARIOS, validateScenario } from '@ivsim/core';
import { composeSim, runParts, schemePlan } from '@ivsim/core/internal';
import { describe, expect, it } from 'vitest';
import { readVcpuSnapshot } from '../src/snapshot.ts';

const started = (name: string, scheme: Parameters<typeof runParts>[1], run?: Parameters<typeof runParts>[2]) => {
  const s = validateScenario({ ...BUILTIN_SCENARIOS[name], duration: '200us' });
  const parts = runParts(s, scheme, run ?? schemePlan(s).run);
  const sim = composeSim(parts, { sharedArena: true });
  sim.start();
  sim.runUntil(parts.topo.durationCycles);
  return sim;
};

describe('vCPU snapshots against the run layout', () => {
  it('x86: the PI descriptor and LAPIC words of the run, wherever the layout puts them', () => {
    for (const run of [undefined, ['x86-apicv-pi' as const]]) {
      const sim = started('x86-compare', 'x86-apicv-pi', run);
      const snap = readVcpuSnapshot(sim.arena, 0);
      expect(snap.pid.NV).toBe(0xf2); // P-21: the notification vector piReset writes
      expect(sim.arena.layout.pid).toBe(0);
      expect(snap.lapic.IRR).toEqual([...sim.vcpus[0].lapic.IRR].flatMap((w, i) => bits(w, i)));
    }
  });

  it('ARM: the list-register area the GIC scheme writes; an undeclared region reads as zeros', () => {
    const sim = started('arm-compare', 'arm-gicv3');
    const L = sim.arena.layout;
    expect(L.pid).toBe(-1);
    const snap = readVcpuSnapshot(sim.arena, 1);
    expect(snap.armWords).toEqual(Array.from(sim.arena.u32View(1, L.arm, 32)));
    expect(snap.armWords.some((w) => w !== 0)).toBe(true);
    expect(snap.pid).toEqual({ PIR: [], ON: false, SN: false, NV: 0, NDST: 0 });
  });
});

function bits(word: number, i: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < 32; b++) if ((word >>> b) & 1) out.push(i * 32 + b);
  return out;
}
