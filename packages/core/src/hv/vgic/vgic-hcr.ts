// The HCR policy shared by both generations (K:vgic-v2.c vgic_v2_configure_hcr, K:vgic-v3.c
// vgic_v3_configure_hcr, late-2025 "LR overflow" rework; semantics §B.5.1 step 5). Maintenance interrupts are
// only a hint to come back and refill the LRs: NPIE when pending IRQs did not fit, LRENPIE when active ones live
// outside the LRs (their EOIs bump EOIcount), UIE whenever anything did not fit. The VGrp enable/disable
// notifications are armed for the opposite of the current enable so a guest toggle forces an exit.

import {
  HCR_EN,
  HCR_LRENPIE,
  HCR_NPIE,
  HCR_UIE,
  HCR_VGRP0DIE,
  HCR_VGRP0EIE,
  HCR_VGRP1DIE,
  HCR_VGRP1EIE,
  VMCR_ENG0,
  VMCR_ENG1,
} from '../../arch/arm/cpuif-block.ts';
import type { VgicState } from './vgic-state.ts';

export const SUM_PEND = 0;
export const SUM_ACT = 1;
export const SUM_SGI = 2;

/** K:vgic.h irqs_outside_lrs / irqs_pending_outside_lrs / irqs_active_outside_lrs. */
export const irqsOutsideLrs = (s: VgicState, nrLr: number): boolean => s.summary[SUM_PEND] + s.summary[SUM_ACT] > nrLr;
export const irqsPendingOutsideLrs = (s: VgicState, nrLr: number): boolean => s.summary[SUM_PEND] > nrLr;
export const irqsActiveOutsideLrs = (s: VgicState, nrLr: number): boolean =>
  s.summary[SUM_ACT] > 0 && irqsOutsideLrs(s, nrLr);

export function baseHcr(s: VgicState, vmcr: number, nrLr: number): number {
  let hcr = HCR_EN;
  if (irqsPendingOutsideLrs(s, nrLr)) hcr |= HCR_NPIE;
  if (irqsActiveOutsideLrs(s, nrLr)) hcr |= HCR_LRENPIE;
  if (irqsOutsideLrs(s, nrLr)) hcr |= HCR_UIE;
  hcr |= vmcr & VMCR_ENG0 ? HCR_VGRP0DIE : HCR_VGRP0EIE;
  hcr |= vmcr & VMCR_ENG1 ? HCR_VGRP1DIE : HCR_VGRP1EIE;
  return hcr >>> 0;
}
