// Hardware-independent vgic core: where an IRQ must live, queueing, injection, pruning, and the "can this
// vCPU wake up" predicate (K:vgic.c; semantics §A.7, §B.5 steps 2–3, §B.5.2 step 4). Placement is decided by
// the pure oracle and never stored redundantly; every state change ends in vgicQueueIrq, as KVM's end in
// vgic_queue_irq_unlock.

import { vmcrPmr } from '../../arch/arm/cpuif-block.ts';
import {
  EV_KICK,
  irqIsPending,
  OWNER_NONE,
  type VgicState,
  vgicBeginCall,
  vgicEmit,
  vgicIrqSlot,
} from './vgic-state.ts';

/** kvmVgicInjectIrq results (besides a vCPU index ≥ 0, which was kicked). */
export const VGIC_NO_KICK = -1; // accepted, but nothing to kick (disabled, no target, distributor off, or deassert)
export const VGIC_INJECT_IGNORED = -2; // refused by vgic_validate_injection (G-22) or the ownership check
export const VGIC_INJECT_INVALID = -3; // INTID outside the VM's INTID space (no such interrupt)

/**
 * K:vgic.c vgic_target_oracle: an active IRQ stays where it is (its ap_list vCPU, else its target); a pending
 * and enabled one goes to its target (nowhere while the distributor is disabled); anything else belongs on no
 * ap_list. Returns a vCPU index or −1.
 */
export function vgicTargetOracle(s: VgicState, i: number): number {
  if (s.active[i]) return s.vcpu[i] >= 0 ? s.vcpu[i] : s.targetVcpu[i];
  if (s.enabled[i] && irqIsPending(s, i)) {
    if (!s.distEnabled) return -1;
    return s.targetVcpu[i];
  }
  return -1;
}

/** kvm_make_request(KVM_REQ_IRQ_PENDING) + kvm_vcpu_kick. */
export function vgicKick(s: VgicState, vcpu: number): void {
  s.irqPendingReq[vcpu] = 1;
  vgicEmit(s, EV_KICK, vcpu);
}

function apAppend(s: VgicState, vcpu: number, i: number): void {
  const len = s.apLen[vcpu];
  if (len >= s.apCap) throw new RangeError('ap_list overflow'); // impossible: an IRQ is on at most one list
  s.ap[vcpu * s.apCap + len] = i;
  s.apLen[vcpu] = len + 1;
  s.vcpu[i] = vcpu;
}

/**
 * K:vgic.c vgic_queue_irq_unlock. An IRQ already on an ap_list is left there but its vCPU is still kicked: an
 * edge re-trigger of an IRQ active in an LR gets no EOI maintenance, so without the kick the vCPU would not see
 * it until some unrelated exit (G-14). Otherwise it is appended to the oracle's ap_list tail. Returns the
 * kicked vCPU or −1.
 */
export function vgicQueueIrq(s: VgicState, i: number): number {
  const v = vgicTargetOracle(s, i);
  if (s.vcpu[i] >= 0 || v < 0) {
    if (v >= 0) vgicKick(s, v);
    return v;
  }
  apAppend(s, v, i);
  vgicKick(s, v);
  return v;
}

/**
 * K:vgic.c vgic_validate_injection: the injector must own the IRQ; a level IRQ accepts only a change of level,
 * an edge IRQ only a rising edge (G-22).
 */
export function vgicValidateInjection(s: VgicState, i: number, level: boolean, owner: number): boolean {
  if (s.owner[i] !== owner) return false;
  if (s.cfgLevel[i]) return (s.lineLevel[i] !== 0) !== level;
  return level;
}

/**
 * K:vgic.c kvm_vgic_inject_irq: the entry point for devices, irqfd and the timer. `vcpu` selects the bank for
 * private INTIDs (ignored for SPIs/LPIs). Level IRQs record line_level, edge IRQs set pending_latch. Returns the
 * kicked vCPU, VGIC_NO_KICK, VGIC_INJECT_IGNORED or VGIC_INJECT_INVALID. Events: EV_KICK.
 */
export function kvmVgicInjectIrq(
  s: VgicState,
  vcpu: number,
  intid: number,
  level: boolean,
  owner = OWNER_NONE,
): number {
  vgicBeginCall(s);
  const i = vgicIrqSlot(s, vcpu, intid);
  if (i < 0) return VGIC_INJECT_INVALID;
  if (!vgicValidateInjection(s, i, level, owner)) return VGIC_INJECT_IGNORED;
  if (s.cfgLevel[i]) s.lineLevel[i] = level ? 1 : 0;
  else s.pendingLatch[i] = 1;
  return vgicQueueIrq(s, i);
}

/**
 * K:vgic.c vgic_prune_ap_list: drop IRQs whose oracle is nobody, migrate those whose oracle is another vCPU
 * (appended to its tail, kicked), keep the rest in order. Active IRQs never migrate (G-23). Returns the number
 * migrated. Compacts in place: no allocation.
 */
export function vgicPruneApList(s: VgicState, vcpu: number): number {
  const base = vcpu * s.apCap;
  const len = s.apLen[vcpu];
  let w = 0;
  let migrated = 0;
  for (let r = 0; r < len; r++) {
    const i = s.ap[base + r];
    const t = vgicTargetOracle(s, i);
    if (t === vcpu) {
      s.ap[base + w++] = i;
    } else if (t < 0) {
      s.vcpu[i] = -1;
    } else {
      apAppend(s, t, i);
      vgicKick(s, t);
      migrated++;
    }
  }
  s.apLen[vcpu] = w;
  return migrated;
}

/**
 * K:vgic.c kvm_vgic_vcpu_pending_irq — "should this blocked vCPU wake": GICv4 pending_last, or an ap_list IRQ
 * pending, enabled, not active and strictly below the guest's priority mask (G-24). `g` is the vCPU's ARM area
 * (VMCR). Call it with the LRs folded (after sync), as KVM does after a WFI exit.
 */
export function kvmVgicVcpuPendingIrq(s: VgicState, vcpu: number, g: Uint32Array): boolean {
  if (!s.distEnabled) return false;
  if (s.pendingLast[vcpu]) return true;
  const pmr = vmcrPmr(g);
  const base = vcpu * s.apCap;
  for (let k = 0; k < s.apLen[vcpu]; k++) {
    const i = s.ap[base + k];
    if (irqIsPending(s, i) && s.enabled[i] && !s.active[i] && s.priority[i] < pmr) return true;
  }
  return false;
}
