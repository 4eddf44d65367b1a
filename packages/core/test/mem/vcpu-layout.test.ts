// The vCPU block is laid out from the regions the run's schemes declare (DESIGN §19.12): every offset is a function
// of the set of regions, the PID stays at a 64-byte-aligned block start, regions never overlap, and a run's
// schemes share one layout (the parallel runner reuses one arena for all of them).

import { describe, expect, it } from 'vitest';
import { ARM_AREA_WORDS } from '../../src/arch/arm/cpuif-block.ts';
import { DESCRIPTORS } from '../../src/hv/descriptors.ts';
import { Arena, type ArenaRegion, REGION_WORDS, VcpuLayout } from '../../src/mem/vcpu-block.ts';
import { runParts } from '../../src/run/compose.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import { schemePlan } from '../../src/simulate.ts';

const ALL = Object.keys(REGION_WORDS) as ArenaRegion[];

/** Every subset of the regions. */
const subsets = Array.from({ length: 1 << ALL.length }, (_, m) => ALL.filter((_r, i) => (m >> i) & 1));

/** [start, end) words of each present structure of a layout. */
function spans(L: VcpuLayout): [string, number, number][] {
  const fields: [string, number, number][] = [
    ['pid', L.pid, 16],
    ['scratch', L.scratch, 8],
    ['irr', L.irr, 8],
    ['isr', L.isr, 8],
    ['tmr', L.tmr, 8],
    ['regs', L.regs, 8],
    ['eoiExit', L.eoiExit, 8],
    ['pirr', L.pirr, 8],
    ['pisr', L.pisr, 8],
    ['arm', L.arm, REGION_WORDS.arm],
  ];
  return fields.filter(([, at]) => at >= 0).map(([n, at, len]) => [n, at, at + len]);
}

describe('vCPU block layout', () => {
  it.each(subsets.map((s) => [s.join('+') || '(none)', s] as const))(
    '%s: disjoint, aligned, in the block',
    (_n, set) => {
      const L = new VcpuLayout(set);
      expect(L.regions).toEqual(set); // layout order is the declaration order of REGION_WORDS
      expect(new VcpuLayout([...set].reverse()).words).toBe(L.words); // a function of the set, not of its order
      expect(L.words % 16).toBe(0);
      const used = set.reduce((a, r) => a + REGION_WORDS[r], 0);
      expect(L.words).toBe(Math.max(16, Math.ceil(used / 16) * 16));
      const sp = spans(L).sort((a, b) => a[1] - b[1]);
      for (let i = 1; i < sp.length; i++)
        expect(sp[i][1], `${sp[i - 1][0]} / ${sp[i][0]}`).toBeGreaterThanOrEqual(sp[i - 1][2]);
      for (const [n, , end] of sp) expect(end, n).toBeLessThanOrEqual(L.words);
      if (set.includes('pid')) expect(L.pid).toBe(0);
      for (const r of ALL) if (!set.includes(r)) expect(spans(L).some(([n]) => n === r)).toBe(false);
    },
  );

  it('the ARM region is the ARM area the GIC code addresses; an absent region has no words', () => {
    expect(REGION_WORDS.arm).toBe(ARM_AREA_WORDS);
    const a = new Arena(2, false, undefined, 4, new VcpuLayout(['lapic']));
    expect(a.u32View(1, a.layout.irr, 8)).toHaveLength(8);
    expect(a.u32View(1, a.layout.pid, 16)).toHaveLength(0);
    expect(a.buffer.byteLength).toBe(Arena.bytes(2, 4, a.layout));
    expect(Arena.bytes(1, 4, a.layout)).toBe(32 * 4 + 5 * 4 * 8); // the LAPIC region, then the ledger
  });

  it('a run lays out the union of its schemes’ declared regions, the same for each of them', () => {
    for (const [name, regions] of [
      ['x86-compare', ['pid', 'lapic', 'eoiExit', 'eliPhys']],
      ['arm-compare', ['lapic', 'arm']],
      ['amd-compare', ['lapic']],
    ] as const) {
      const s = validateScenario(BUILTIN_SCENARIOS[name]);
      const { run } = schemePlan(s);
      const layouts = run.map((id) => runParts(s, id, run).layout);
      expect(layouts[0].regions, name).toEqual(regions);
      for (const L of layouts) expect(L.words).toBe(layouts[0].words);
      // One scheme alone: only its own regions.
      for (const id of run) {
        const own = DESCRIPTORS.find((d) => d.id === id)?.vcpuState.arena ?? [];
        expect(new Set(runParts(s, id).layout.regions)).toEqual(new Set(own));
      }
    }
  });
});
