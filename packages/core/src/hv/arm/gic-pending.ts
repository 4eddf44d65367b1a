// Where an ARM interrupt is pending, read from the architectural state itself (vgic software latches, the list
// registers in the vCPU's ARM area, the GICv4 virtual pending table). The schemes use it to recognise a merge
// (an interrupt raised while the same one is still pending: counted as coalesced) and to count what is still
// pending at the end of a run, so `raised = delivered + coalesced + pending` checks the model, not a shadow of it.

import { cpuifNrLr } from '../../arch/arm/cpuif-block.ts';
import { vptIntid, vptTest } from '../../arch/arm/its.ts';
import { LR_PENDING } from '../../arch/arm/lr-fields.ts';
import { lrCpuid, lrState, lrVintid } from '../../arch/arm/lr-view.ts';
import { irqIsPending, irqIsSgi, type VgicState, vgicIrqSlot } from '../vgic/vgic-state.ts';
import type { GicVm } from './gic-vm.ts';

const popcount8 = (x: number): number => {
  let n = 0;
  for (let b = x & 0xff; b !== 0; b &= b - 1) n++;
  return n;
};

/** Bitmap of GICv2 SGI sources for which an LR holds `intid` in a Pending state (bit 0 = any, on GICv3). */
export function lrPendingSources(g: Uint32Array, intid: number): number {
  const nr = cpuifNrLr(g);
  let m = 0;
  for (let n = 0; n < nr; n++) {
    if ((lrState(g, n) & LR_PENDING) === 0 || lrVintid(g, n) !== intid) continue;
    m |= 1 << lrCpuid(g, n);
  }
  return m;
}

const isV2Sgi = (s: VgicState, intid: number): boolean => s.model === 2 && irqIsSgi(intid);

/**
 * True when `intid` is already pending for vmVcpu — from source vCPU `from` for a GICv2 SGI (each source is a
 * separate interrupt there). Directly injected vINTIDs (GICv4 vLPIs, GICv4.1 vSGIs) are pending in the VPT.
 */
export function gicIsPending(vm: GicVm, vmVcpu: number, intid: number, from: number): boolean {
  const s = vm.s;
  const i = vgicIrqSlot(s, vmVcpu, intid);
  if (vm.v4 !== null && s.hw[i] && (s.forwarded[i] || irqIsSgi(intid))) return vptTest(vm.v4.its, vmVcpu, intid);
  const g = vm.blocks[vmVcpu];
  if (isV2Sgi(s, intid)) return ((s.source[i] | lrPendingSources(g, intid)) & (1 << from)) !== 0;
  return irqIsPending(s, i) || lrPendingSources(g, intid) !== 0;
}

/**
 * Visits every interrupt pending for vmVcpu — on its ap_list (software latch or LR) and in its VPT (GICv4) — as
 * (intid, instances): a GICv2 SGI counts once per pending source.
 */
export function gicForEachPending(vm: GicVm, vmVcpu: number, visit: (intid: number, n: number) => void): void {
  const s = vm.s;
  const g = vm.blocks[vmVcpu];
  const base = vmVcpu * s.apCap;
  for (let k = 0; k < s.apLen[vmVcpu]; k++) {
    const i = s.ap[base + k];
    const intid = s.intid[i];
    const inLr = lrPendingSources(g, intid);
    // A latch set again while the LR still holds the interrupt pending is one merged interrupt, counted once.
    if (isV2Sgi(s, intid)) {
      const n = popcount8(s.source[i] | inLr);
      if (n > 0) visit(intid, n);
    } else if (irqIsPending(s, i) || inLr !== 0) visit(intid, 1);
  }
  if (vm.v4 !== null) {
    const its = vm.v4.its;
    const w0 = vmVcpu * its.vptWords;
    for (let w = 0; w < its.vptWords; w++)
      for (let x = its.vpt[w0 + w]; x !== 0; x &= x - 1) visit(vptIntid(32 * w + 31 - Math.clz32(x & -x)), 1);
  }
}

/** Interrupts pending for vmVcpu (gicForEachPending's instances). */
export function gicPendingCount(vm: GicVm, vmVcpu: number): number {
  let n = 0;
  gicForEachPending(vm, vmVcpu, (_intid, k) => {
    n += k;
  });
  return n;
}
