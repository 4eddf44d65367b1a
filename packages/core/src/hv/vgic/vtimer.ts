// The virtual timer's interrupt line at the level a model needs (G-27; KUT:arm/timer.c test_timer_pending;
// K:arch_timer.c kvm_timer_update_irq). CNTV_CTL_EL0: ENABLE bit 0, IMASK bit 1, ISTATUS bit 2 (read-only,
// = ENABLE and CNTVCT ≥ CVAL). The PPI (INTID 27) is level-triggered and owned by the timer: the line is
// asserted iff ISTATUS and not IMASK, and only level changes reach the vgic (vgic_validate_injection).

import { kvmVgicInjectIrq } from './vgic.ts';
import { vgicSetConfig, vgicSetOwner } from './vgic-dist.ts';
import { OWNER_TIMER, type VgicState } from './vgic-state.ts';

export const VTIMER_PPI = 27;
export const CNTV_CTL_ENABLE = 1;
export const CNTV_CTL_IMASK = 2;
export const CNTV_CTL_ISTATUS = 4;

/** ISTATUS: the timer condition is met (independent of IMASK). */
export const cntvIstatus = (ctl: number, cval: number, now: number): boolean =>
  (ctl & CNTV_CTL_ENABLE) !== 0 && now >= cval;

/** CNTV_CTL_EL0 as the guest reads it. */
export const cntvCtlRead = (ctl: number, cval: number, now: number): number =>
  (ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) | (cntvIstatus(ctl, cval, now) ? CNTV_CTL_ISTATUS : 0);

/** K:arch_timer.c kvm_timer_irq_can_fire + kvm_timer_should_fire: the level of the PPI line. */
export const vtimerIrqLevel = (ctl: number, cval: number, now: number): boolean =>
  cntvIstatus(ctl, cval, now) && (ctl & CNTV_CTL_IMASK) === 0;

/** kvm_timer_vcpu_init equivalent: PPI 27 of every vCPU is level and owned by the timer. */
export function vtimerInit(s: VgicState): void {
  for (let v = 0; v < s.nrVcpus; v++) {
    vgicSetConfig(s, v, VTIMER_PPI, true);
    vgicSetOwner(s, v, VTIMER_PPI, OWNER_TIMER);
  }
}

/**
 * K:arch_timer.c kvm_timer_update_irq: push the current line level into the vgic. Returns kvmVgicInjectIrq's
 * result (VGIC_INJECT_IGNORED when the level did not change).
 */
export function kvmTimerUpdateIrq(s: VgicState, vcpu: number, ctl: number, cval: number, now: number): number {
  return kvmVgicInjectIrq(s, vcpu, VTIMER_PPI, vtimerIrqLevel(ctl, cval, now), OWNER_TIMER);
}
