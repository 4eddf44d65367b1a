// Virtual CPU interface evaluators: G-04, G-08, G-10, G-12, G-28 (semantics §A.5, §A.6, §B.5 steps 5–7).

import { describe, expect, it } from 'vitest';
import {
  ARM_EISR,
  ARM_ELRSR,
  ARM_HCR,
  ARM_MISR,
  ARM_VMCR,
  HCR_EN,
  HCR_LRENPIE,
  HCR_NPIE,
  HCR_UIE,
  LR_FMT_V2,
  LR_FMT_V3,
  MISR_EOI,
  MISR_LRENP,
  MISR_NP,
  MISR_U,
  newCpuifBlock,
  VMCR_BPR0_SHIFT,
  VMCR_CBPR,
  vmcrSetEoiMode,
} from '../../src/arch/arm/cpuif-block.ts';
import { LR_ACTIVE, LR_INVALID, LR_PENDING } from '../../src/arch/arm/lr-fields.ts';
import { lrDecode, lrState, lrWriteFields } from '../../src/arch/arm/lr-view.ts';
import {
  cpuifMaintenance,
  cpuifUpdate,
  cpuifVirqPending,
  hcrEoiCountOf,
  ichHighestActiveVirtPrio,
  icvDir,
  icvEoir,
  icvIar,
} from './vcpu-if-helpers.ts';

const FMTS = [
  { fmt: LR_FMT_V2, name: 'GICv2' },
  { fmt: LR_FMT_V3, name: 'GICv3' },
];

function enabledBlock(fmt: number): Uint32Array {
  const g = newCpuifBlock(fmt);
  g[ARM_HCR] = HCR_EN;
  return g;
}

describe('virtual CPU interface', () => {
  it.each(FMTS)('G-04 equal group priority does not preempt; 0x70 preempts a running 0x80 ($name)', ({ fmt }) => {
    const g = enabledBlock(fmt);
    lrWriteFields(g, 0, { vintid: 40, priority: 0x80, state: LR_PENDING });
    expect(icvIar(g, 1)).toBe(40);
    expect(ichHighestActiveVirtPrio(g)).toBe(0x80);
    lrWriteFields(g, 1, { vintid: 41, priority: 0x80, state: LR_PENDING });
    cpuifUpdate(g);
    expect(cpuifVirqPending(g)).toBe(false);
    expect(icvIar(g, 1)).toBe(1023);
    lrWriteFields(g, 2, { vintid: 42, priority: 0x70, state: LR_PENDING });
    cpuifUpdate(g);
    expect(cpuifVirqPending(g)).toBe(true);
    expect(icvIar(g, 1)).toBe(42);
    expect(ichHighestActiveVirtPrio(g)).toBe(0x70);
    // Drop 0x70 (EOImode 0 also deactivates), then 0x80: only now is the second 0x80 signalled.
    expect(icvEoir(g, 1, 42)).toBe(-1);
    expect(cpuifVirqPending(g)).toBe(false);
    icvEoir(g, 1, 40);
    expect(lrState(g, 0)).toBe(LR_INVALID);
    expect(cpuifVirqPending(g)).toBe(true);
    expect(icvIar(g, 1)).toBe(41);
  });

  it('G-04 a coarse binary point merges 0x70 and 0x80 into one group priority (no preemption)', () => {
    const g = enabledBlock(LR_FMT_V3);
    // VCBPR: group 1 uses BPR0; BPR0 = 4 → group-priority mask 0xE0, so 0x70 and 0x80 differ (0x60 vs 0x80);
    // BPR0 = 7 → mask 0x00: nothing ever preempts.
    lrWriteFields(g, 0, { vintid: 40, priority: 0x80, state: LR_PENDING });
    icvIar(g, 1);
    lrWriteFields(g, 1, { vintid: 42, priority: 0x70, state: LR_PENDING });
    g[ARM_VMCR] = (g[ARM_VMCR] & ~(7 << VMCR_BPR0_SHIFT)) | VMCR_CBPR | (4 << VMCR_BPR0_SHIFT);
    cpuifUpdate(g);
    expect(cpuifVirqPending(g)).toBe(true);
    g[ARM_VMCR] = (g[ARM_VMCR] & ~(7 << VMCR_BPR0_SHIFT)) | (7 << VMCR_BPR0_SHIFT);
    cpuifUpdate(g);
    expect(cpuifVirqPending(g)).toBe(false);
  });

  it.each(FMTS)('G-08 deactivating an HW LR deactivates pINTID 27, with no maintenance ($name)', ({ fmt }) => {
    for (const split of [false, true]) {
      const g = enabledBlock(fmt);
      vmcrSetEoiMode(g, split);
      g[ARM_HCR] |= HCR_UIE | HCR_NPIE; // even with maintenance enables, two LRs stay valid → no U
      lrWriteFields(g, 0, { vintid: 27, priority: 0xa0, state: LR_PENDING, hw: true, pintid: 27 });
      lrWriteFields(g, 1, { vintid: 50, priority: 0xa0, state: LR_PENDING });
      lrWriteFields(g, 2, { vintid: 51, priority: 0xa0, state: LR_PENDING });
      expect(icvIar(g, 1)).toBe(27);
      let phys = icvEoir(g, 1, 27);
      if (split) {
        expect(phys).toBe(-1); // EOImode 1: priority drop only
        expect(lrState(g, 0)).toBe(LR_ACTIVE);
        phys = icvDir(g, 27);
      }
      expect(phys).toBe(27);
      expect(lrState(g, 0)).toBe(LR_INVALID);
      expect(g[ARM_EISR]).toBe(0);
      expect(g[ARM_ELRSR] & 1).toBe(1);
      expect(g[ARM_MISR] & MISR_EOI).toBe(0);
      expect(cpuifMaintenance(g)).toBe(false);
    }
  });

  it.each(FMTS)('G-10 UIE: MISR.U = 1 with exactly one valid LR, 0 with two ($name)', ({ fmt }) => {
    const g = enabledBlock(fmt);
    g[ARM_HCR] |= HCR_UIE;
    lrWriteFields(g, 0, { vintid: 40, priority: 0xa0, state: LR_PENDING });
    lrWriteFields(g, 1, { vintid: 41, priority: 0xa0, state: LR_ACTIVE });
    cpuifUpdate(g);
    expect(g[ARM_MISR] & MISR_U).toBe(0);
    expect(cpuifMaintenance(g)).toBe(false);
    lrWriteFields(g, 1, { vintid: 0, state: LR_INVALID });
    cpuifUpdate(g);
    expect(g[ARM_MISR] & MISR_U).toBe(MISR_U);
    expect(cpuifMaintenance(g)).toBe(true);
    g[ARM_HCR] &= ~HCR_UIE;
    cpuifUpdate(g);
    expect(g[ARM_MISR] & MISR_U).toBe(0);
  });

  it.each(FMTS)('G-12 EOI=1 HW=0 LR deactivated → EISR[n] = 1, MISR.EOI, not empty in ELRSR ($name)', ({ fmt }) => {
    const g = enabledBlock(fmt);
    lrWriteFields(g, 0, { vintid: 33, priority: 0xa0, state: LR_PENDING });
    lrWriteFields(g, 2, { vintid: 40, priority: 0x90, state: LR_PENDING, eoi: true });
    cpuifUpdate(g);
    expect(g[ARM_EISR]).toBe(0);
    expect(icvIar(g, 1)).toBe(40);
    icvEoir(g, 1, 40);
    expect(lrDecode(g, 2)).toMatchObject({ state: LR_INVALID, eoi: true });
    expect(g[ARM_EISR]).toBe(1 << 2);
    expect(g[ARM_MISR] & MISR_EOI).toBe(MISR_EOI);
    expect(g[ARM_ELRSR] & (1 << 2)).toBe(0);
    expect(g[ARM_ELRSR] & (1 << 1)).toBe(1 << 1);
    expect(cpuifMaintenance(g)).toBe(true);
  });

  it.each(FMTS)('G-28 HCR.En = 0: no virtual interrupt and no maintenance whatever the LRs say ($name)', ({ fmt }) => {
    const g = newCpuifBlock(fmt);
    g[ARM_HCR] = HCR_UIE | HCR_NPIE | HCR_LRENPIE | (3 << 27);
    lrWriteFields(g, 0, { vintid: 40, priority: 0x10, state: LR_PENDING });
    lrWriteFields(g, 1, { vintid: 41, priority: 0x10, state: LR_INVALID, eoi: true });
    cpuifUpdate(g);
    expect(g[ARM_MISR] & (MISR_EOI | MISR_U | MISR_LRENP)).toBe(MISR_EOI | MISR_U | MISR_LRENP);
    expect(cpuifVirqPending(g)).toBe(false);
    expect(cpuifMaintenance(g)).toBe(false);
    expect(icvIar(g, 1)).toBe(1023);
    g[ARM_HCR] |= HCR_EN;
    cpuifUpdate(g);
    expect(cpuifVirqPending(g)).toBe(true);
    expect(cpuifMaintenance(g)).toBe(true);
  });

  it('EOI without a matching LR bumps EOIcount (LRENP), an EOI with no active priority does not', () => {
    const g = enabledBlock(LR_FMT_V3);
    g[ARM_HCR] |= HCR_LRENPIE;
    icvEoir(g, 1, 40);
    expect(hcrEoiCountOf(g)).toBe(0);
    lrWriteFields(g, 0, { vintid: 40, priority: 0xa0, state: LR_PENDING });
    icvIar(g, 1);
    lrWriteFields(g, 0, { vintid: 0, state: LR_INVALID }); // hypervisor moved it out of the LRs
    icvEoir(g, 1, 40);
    expect(hcrEoiCountOf(g)).toBe(1);
    expect(g[ARM_MISR] & MISR_LRENP).toBe(MISR_LRENP);
    expect(g[ARM_MISR] & MISR_NP).toBe(0);
  });
});
