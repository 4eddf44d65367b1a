// Trapped deactivation (semantics §B.6 "EOImode split"): with ICH_HCR_EL2.TDIR (GICv3) or the unmapped GICV_DIR
// page (GICv2, mainline KVM maps all of GICV except DIR), a guest DIR write exits and KVM deactivates the IRQ
// itself, even when it is in no LR (K:vgic-v3.c vgic_v3_deactivate, K:vgic-v2.c vgic_v2_deactivate). The exit
// path has already synced the LRs, so the software state is authoritative here.

import { LR_FMT_V2 } from '../../arch/arm/cpuif-block.ts';
import { vgicDeactivateAsGuest } from './vgic-lr.ts';
import { irqIsLpi, irqIsSgi, type VgicState, vgicBeginCall, vgicIrqSlot } from './vgic-state.ts';

/** Mainline KVM never maps the GICv2 DIR page into the guest, so every GICV_DIR write traps. */
export const vgicV2DirTraps = (fmt: number): boolean => fmt === LR_FMT_V2;

/**
 * Emulates a trapped DIR write of `value` (GICv2: INTID | CPUID << 10) by vCPU `vcpu`. LPIs cannot be
 * deactivated through DIR. Returns 1 if an IRQ was deactivated, else 0. Events: EV_PHYS_DEACTIVATE,
 * EV_RESAMPLE.
 */
export function vgicDeactivateTrapped(s: VgicState, vcpu: number, value: number): number {
  vgicBeginCall(s);
  const intid = s.model === 2 ? value & 0x3ff : value & 0xffffff;
  if (irqIsLpi(intid) || intid >= 1020) return 0;
  const i = vgicIrqSlot(s, vcpu, intid);
  if (i < 0 || !s.active[i]) return 0;
  if (s.model === 2 && irqIsSgi(intid) && s.activeSource[i] !== ((value >>> 10) & 7)) return 0;
  const owner = s.vcpu[i] >= 0 ? s.vcpu[i] : vcpu;
  vgicDeactivateAsGuest(s, owner, i);
  return 1;
}
