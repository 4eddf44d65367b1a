// LR codecs and list-register discovery: G-01, G-05, G-29 (semantics §A.5, §A.6).

import { describe, expect, it } from 'vitest';
import {
  ARM_HCR,
  ARM_VTR,
  cpuifNrLr,
  HCR_EN,
  LR_FMT_V2,
  LR_FMT_V3,
  newCpuifBlock,
} from '../../src/arch/arm/cpuif-block.ts';
import { LR_ACTIVE, LR_PENDING, LR_PENDING_ACTIVE } from '../../src/arch/arm/lr-fields.ts';
import { decodeGichLr, encodeGichLr, gichVtrNrLr } from '../../src/arch/arm/lr-v2.ts';
import { decodeIchLr, decodeIchLrBig, encodeIchLr, encodeIchLrBig, ichVtrNrLr } from '../../src/arch/arm/lr-v3.ts';
import { lrDecode, lrWriteFields } from '../../src/arch/arm/lr-view.ts';
import { hppviIndex, icvIar } from '../../src/arch/arm/vcpu-if.ts';
import { kvmVgicInjectIrq } from '../../src/hv/vgic/vgic.ts';
import { vgicSetPriority } from '../../src/hv/vgic/vgic-dist.ts';
import { vgicFlushLrState } from '../../src/hv/vgic/vgic-flush.ts';
import { vgicV2ReadLr } from '../../src/hv/vgic/vgic-v2.ts';
import { vgicV3ReadLr } from '../../src/hv/vgic/vgic-v3.ts';
import { armVm } from './helpers.ts';

describe('LR codecs', () => {
  it.each([
    { gic: 2 as const, want: 0x5a000028n },
    { gic: 3 as const, want: 0x50a0000000000028n },
  ])('G-01 IRQ {40, prio 0xA0, grp1, pending, edge, SW} encodes bit-exactly (GICv$gic)', ({ gic, want }) => {
    const f = { vintid: 40, priority: 0xa0, group: 1, state: LR_PENDING };
    if (gic === 2) expect(BigInt(encodeGichLr(f))).toBe(want);
    else expect(encodeIchLrBig(f)).toBe(want);
    // ... and what the vgic backend writes for the same software IRQ is the same word.
    const vm = armVm({ gic });
    vgicSetPriority(vm.s, 0, 40, 0xa0);
    expect(kvmVgicInjectIrq(vm.s, 0, 40, true)).toBe(0);
    expect(vgicFlushLrState(vm.s, 0, vm.g[0])).toBe(1);
    const lo = vm.g[0][0];
    const hi = vm.g[0][1];
    expect(gic === 2 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo)).toBe(want);
    const d = gic === 2 ? vgicV2ReadLr(vm.g[0], 0) : vgicV3ReadLr(vm.g[0], 0);
    expect(d).toMatchObject({ vintid: 40, priority: 0xa0, group: 1, state: LR_PENDING, hw: false, eoi: false });
  });

  it('G-01 round-trips every field of both formats (HW and SW variants)', () => {
    const cases = [
      { vintid: 1019, state: LR_PENDING_ACTIVE, priority: 0xf8, group: 0, hw: true, pintid: 0x3ff },
      { vintid: 7, state: LR_ACTIVE, priority: 0x08, group: 1, cpuid: 5, eoi: true },
    ];
    for (const c of cases) {
      expect(decodeGichLr(encodeGichLr(c))).toMatchObject(c);
      const { lo, hi } = encodeIchLr(c);
      expect(decodeIchLr(lo, hi)).toMatchObject({ ...c, cpuid: 0 });
    }
    const v3 = { vintid: 0xdeadbeef, state: LR_PENDING, priority: 0x5a, group: 1, hw: true, pintid: 0x1fff, nmi: true };
    expect(decodeIchLrBig(encodeIchLrBig(v3))).toMatchObject(v3);
    // EOI lives at bit 41 (HW = 0) and is not representable with HW = 1 (bit 41 is pINTID[9]).
    expect(encodeIchLrBig({ vintid: 1, eoi: true }) & (1n << 41n)).toBe(1n << 41n);
    expect(encodeIchLrBig({ vintid: 1, eoi: true, hw: true, pintid: 0 }) & (1n << 41n)).toBe(0n);
    expect(encodeGichLr({ vintid: 1, eoi: true, hw: true, pintid: 0 }) & (1 << 19)).toBe(0);
  });

  it('G-05 GICv2 priorities 0xA0 and 0xA7 share LR priority field 0x14 and tie-break by LR order', () => {
    const a = encodeGichLr({ vintid: 40, priority: 0xa0, state: LR_PENDING });
    const b = encodeGichLr({ vintid: 41, priority: 0xa7, state: LR_PENDING });
    expect((a >>> 23) & 0x1f).toBe(0x14);
    expect((b >>> 23) & 0x1f).toBe(0x14);
    for (const order of [
      [41, 40],
      [40, 41],
    ]) {
      const g = newCpuifBlock(LR_FMT_V2);
      g[ARM_HCR] = HCR_EN;
      lrWriteFields(g, 0, { vintid: order[0], priority: order[0] === 40 ? 0xa0 : 0xa7, state: LR_PENDING });
      lrWriteFields(g, 1, { vintid: order[1], priority: order[1] === 40 ? 0xa0 : 0xa7, state: LR_PENDING });
      expect(hppviIndex(g)).toBe(0);
      expect(icvIar(g, 1)).toBe(order[0]);
    }
    // On GICv3 with 8 implemented priority bits the two are distinct: 0xA0 wins wherever it sits.
    const g3 = newCpuifBlock(LR_FMT_V3, { priBits: 8, preBits: 7 });
    g3[ARM_HCR] = HCR_EN;
    lrWriteFields(g3, 0, { vintid: 41, priority: 0xa7, state: LR_PENDING });
    lrWriteFields(g3, 1, { vintid: 40, priority: 0xa0, state: LR_PENDING });
    expect(icvIar(g3, 1)).toBe(40);
    expect(lrDecode(g3, 1).state).toBe(LR_ACTIVE);
  });

  it.each([
    { fmt: LR_FMT_V2, name: 'GICH_VTR', nrOf: gichVtrNrLr },
    { fmt: LR_FMT_V3, name: 'ICH_VTR_EL2', nrOf: ichVtrNrLr },
  ])('G-29 $name.ListRegs = 3 → nr_lr = 4, and every configured count round-trips', ({ fmt, nrOf }) => {
    expect(nrOf(3)).toBe(4);
    const g = newCpuifBlock(fmt);
    expect(g[ARM_VTR] & 0x3f).toBe(3);
    expect(cpuifNrLr(g)).toBe(4);
    for (let n = 1; n <= 16; n++) expect(cpuifNrLr(newCpuifBlock(fmt, { nrLr: n }))).toBe(n);
    expect(() => newCpuifBlock(fmt, { nrLr: 17 })).toThrow(RangeError);
    expect(() => newCpuifBlock(fmt, { nrLr: 0 })).toThrow(RangeError);
  });
});
