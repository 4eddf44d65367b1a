// The virtual CPU interface's recompute (cpuifUpdate) reads the list registers in one pass (DESIGN §19.3). It must
// give exactly what the per-register evaluators give, each with its own scan (the readable reference of
// Q:cpuif gicv3_cpuif_virt_update: maintenance_interrupt_state, eoi_maintenance_interrupt_state, ELRSR,
// hppvi_index, icv_hppi_can_preempt / icv_hppvlpi_can_preempt), for any LR contents of either generation.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARM_AP0R,
  ARM_AP1R,
  ARM_EISR,
  ARM_ELRSR,
  ARM_HCR,
  ARM_HPPVLPI,
  ARM_HPPVLPI_GRP,
  ARM_HPPVLPI_PRIO,
  ARM_LINES,
  ARM_LR,
  ARM_MISR,
  ARM_VMCR,
  cpuifNrLr,
  HCR_EN,
  INTID_SPURIOUS,
  LINE_MAINT,
  LINE_VFIQ,
  LINE_VIRQ,
  LR_FMT_V2,
  LR_FMT_V3,
  newCpuifBlock,
} from '../../src/arch/arm/cpuif-block.ts';
import { lrGroup } from '../../src/arch/arm/lr-view.ts';
import {
  cpuifUpdate,
  HPPVI_INDEX_VLPI,
  hppviIndex,
  ichEisr,
  ichElrsr,
  icvHppiCanPreempt,
  icvHppvlpiCanPreempt,
  maintenanceInterruptState,
} from '../../src/arch/arm/vcpu-if.ts';

/** The recompute as four scans (the pre-§19 cpuifUpdate): MISR, EISR, ELRSR, lines. */
function reference(g: Uint32Array): number[] {
  const misr = maintenanceInterruptState(g);
  let lines = 0;
  const idx = hppviIndex(g);
  if (idx === HPPVI_INDEX_VLPI) {
    if (icvHppvlpiCanPreempt(g)) lines |= g[ARM_HPPVLPI_GRP] ? LINE_VIRQ : LINE_VFIQ;
  } else if (idx >= 0 && icvHppiCanPreempt(g, idx)) lines |= lrGroup(g, idx) ? LINE_VIRQ : LINE_VFIQ;
  if (g[ARM_HCR] & HCR_EN && misr !== 0) lines |= LINE_MAINT;
  return [misr, ichEisr(g), ichElrsr(g), lines];
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('cpuifUpdate: one LR pass', () => {
  it.each([
    { fmt: LR_FMT_V2, name: 'GICv2' },
    { fmt: LR_FMT_V3, name: 'GICv3' },
  ])('matches the per-register evaluators for any state ($name)', ({ fmt }) => {
    fc.assert(
      fc.property(
        fc.array(u32, { minLength: 32, maxLength: 32 }),
        u32,
        u32,
        fc.array(fc.constantFrom(0, 0, 0, 1 << 16, 0x80000000), { minLength: 2, maxLength: 2 }), // mostly idle
        fc.option(fc.tuple(fc.integer({ min: 8192, max: 9000 }), fc.integer({ min: 0, max: 255 }), fc.boolean())),
        (lrs, hcr, vmcr, apr, vlpi) => {
          const g = newCpuifBlock(fmt);
          // Priorities limited to their top two bits, so equal priorities (the lowest-LR tie-break) are common.
          for (let k = 0; k < 32; k++) {
            const w = lrs[k] >>> 0;
            if (fmt === LR_FMT_V2) g[ARM_LR + k] = k % 2 === 1 ? 0 : (w & ~(0x7 << 23)) >>> 0;
            else g[ARM_LR + k] = k % 2 === 1 ? (w & ~(0x3f << 16)) >>> 0 : w;
          }
          g[ARM_HCR] = hcr;
          g[ARM_VMCR] = vmcr;
          g[ARM_AP0R] = apr[0];
          g[ARM_AP1R] = apr[1];
          g[ARM_HPPVLPI] = vlpi === null ? INTID_SPURIOUS : vlpi[0];
          g[ARM_HPPVLPI_PRIO] = vlpi === null ? 0xff : vlpi[1];
          g[ARM_HPPVLPI_GRP] = vlpi?.[2] ? 1 : 0;
          expect(cpuifNrLr(g)).toBeLessThanOrEqual(16);
          const want = reference(g);
          cpuifUpdate(g);
          expect([g[ARM_MISR], g[ARM_EISR], g[ARM_ELRSR], g[ARM_LINES]]).toEqual(want);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
