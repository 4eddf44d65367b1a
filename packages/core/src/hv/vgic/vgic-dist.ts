// Distributor-side configuration and the trapped register writes that change IRQ state (K:vgic-mmio.c
// vgic_mmio_write_senable / cenable / cactive / target, K:vgic.c kvm_vgic_map_phys_irq, kvm_vgic_set_owner).
// Every function returns plain numbers and records kicks / physical deactivations in the event log.

import { VGIC_INJECT_INVALID, VGIC_NO_KICK, vgicQueueIrq } from './vgic.ts';
import {
  EV_PHYS_DEACTIVATE,
  irqIsPending,
  irqIsSgi,
  type VgicState,
  vgicBeginCall,
  vgicEmit,
  vgicIrqSlot,
  vgicSetActiveState,
} from './vgic-state.ts';

function slotOrThrow(s: VgicState, vcpu: number, intid: number): number {
  const i = vgicIrqSlot(s, vcpu, intid);
  if (i < 0) throw new RangeError(`INTID ${intid} is outside this VM's INTID space`);
  return i;
}

/** GICD_ISENABLER / ICENABLER. Enabling re-queues (a pending IRQ becomes deliverable); disabling lets prune drop it. */
export function vgicSetEnabled(s: VgicState, vcpu: number, intid: number, enabled: boolean): number {
  vgicBeginCall(s);
  const i = vgicIrqSlot(s, vcpu, intid);
  if (i < 0) return VGIC_INJECT_INVALID;
  s.enabled[i] = enabled ? 1 : 0;
  return enabled ? vgicQueueIrq(s, i) : VGIC_NO_KICK;
}

/** GICD_IPRIORITYR (8-bit; the LR codec drops what the hardware does not implement). */
export function vgicSetPriority(s: VgicState, vcpu: number, intid: number, priority: number): void {
  s.priority[slotOrThrow(s, vcpu, intid)] = priority & 0xff;
}

/** GICD_ICFGR: level (true) or edge. SGIs are always edge. */
export function vgicSetConfig(s: VgicState, vcpu: number, intid: number, level: boolean): void {
  const i = slotOrThrow(s, vcpu, intid);
  if (!irqIsSgi(intid)) s.cfgLevel[i] = level ? 1 : 0;
}

/** GICD_IGROUPR. */
export function vgicSetGroup(s: VgicState, vcpu: number, intid: number, group: number): void {
  s.group[slotOrThrow(s, vcpu, intid)] = group & 1;
}

/**
 * GICD_ITARGETSR / GICD_IROUTER / ITS collection move: only the target changes. Where the IRQ lives is left to
 * the oracle at the next prune: an active IRQ stays on its current vCPU until deactivated (G-23).
 */
export function vgicSetTarget(s: VgicState, intid: number, target: number): void {
  if (target < -1 || target >= s.nrVcpus) throw new RangeError(`bad target vCPU ${target}`);
  s.targetVcpu[slotOrThrow(s, 0, intid)] = target;
}

/** kvm_vgic_set_owner: only `owner` may inject this IRQ from now on (e.g. the arch timer's PPIs). */
export function vgicSetOwner(s: VgicState, vcpu: number, intid: number, owner: number): void {
  s.owner[slotOrThrow(s, vcpu, intid)] = owner;
}

/** kvm_vgic_map_phys_irq: back the virtual IRQ with a physical one (LR.HW, pINTID). */
export function vgicMapPhysIrq(s: VgicState, vcpu: number, intid: number, hwintid: number): void {
  const i = slotOrThrow(s, vcpu, intid);
  s.hw[i] = 1;
  s.hwintid[i] = hwintid;
}

export function vgicUnmapPhysIrq(s: VgicState, vcpu: number, intid: number): void {
  const i = slotOrThrow(s, vcpu, intid);
  s.hw[i] = 0;
  s.hwintid[i] = -1;
}

/** Physical line level of a mapped level IRQ, as vgic_get_phys_line_level would read it at resample time. */
export function vgicSetPhysLine(s: VgicState, vcpu: number, intid: number, level: boolean): void {
  s.physLine[slotOrThrow(s, vcpu, intid)] = level ? 1 : 0;
}

/** GICD_ISPENDR read: the distributor's view of pending, independent of enable (G-27). */
export function vgicIsPending(s: VgicState, vcpu: number, intid: number): boolean {
  return irqIsPending(s, slotOrThrow(s, vcpu, intid));
}

/** GICD_ISACTIVER read. */
export function vgicIsActive(s: VgicState, vcpu: number, intid: number): boolean {
  return s.active[slotOrThrow(s, vcpu, intid)] !== 0;
}

/** GICD_ISPENDR write: latch pending (also for level IRQs), then queue. Returns the kicked vCPU or −1. */
export function vgicSetPendingLatch(s: VgicState, vcpu: number, intid: number, src = vcpu): number {
  vgicBeginCall(s);
  const i = slotOrThrow(s, vcpu, intid);
  s.pendingLatch[i] = 1;
  if (s.model === 2 && irqIsSgi(intid)) s.source[i] |= 1 << src;
  return vgicQueueIrq(s, i);
}

/**
 * GICD_ICACTIVER / GICD_ISACTIVER write (K:vgic-mmio.c vgic_mmio_change_active, G-26). KVM first halts the
 * guest so no LR holds the IRQ (vgic_access_active_prepare); the engine must therefore call this with the
 * owning vCPU out of guest mode and synced. For an HW IRQ the physical active state follows (EV_PHYS_DEACTIVATE
 * on clear). `requester` is the writing vCPU (GICv2: becomes the SGI's active source when setting).
 * Returns the vCPU kicked when the IRQ had to be (re)queued, else −1.
 */
export function vgicMmioChangeActive(
  s: VgicState,
  vcpu: number,
  intid: number,
  active: boolean,
  requester: number,
): number {
  vgicBeginCall(s);
  const i = slotOrThrow(s, vcpu, intid);
  if (s.hw[i] && s.hwintid[i] >= 0 && !irqIsSgi(intid)) {
    if (!active && s.active[i]) vgicEmit(s, EV_PHYS_DEACTIVATE, s.hwintid[i]);
  } else if (s.model === 2 && active && irqIsSgi(intid)) {
    s.activeSource[i] = requester;
  }
  vgicSetActiveState(s, i, active);
  return active ? vgicQueueIrq(s, i) : VGIC_NO_KICK;
}

/** GICD_CTLR enable. Enabling re-queues every pending IRQ (K:vgic-mmio-v2/v3 vgic_mmio_write_*ctlr → vgic_kick_vcpus). */
export function vgicSetDistEnabled(s: VgicState, enabled: boolean): void {
  vgicBeginCall(s);
  s.distEnabled = enabled;
  if (!enabled) return;
  for (let i = 0; i < s.nrIrqs; i++) if (irqIsPending(s, i) && s.enabled[i]) vgicQueueIrq(s, i);
}
