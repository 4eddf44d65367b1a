// Posted vs remapped IRTE for an assigned device's MSI route (semantics §A.3 "IRTE in posted mode", §B.3, P-18;
// K:irq.c kvm_pi_update_irte; K:pi.c vmx_pi_update_irte; K:lapic.c kvm_intr_is_single_vcpu_fast,
// kvm_apic_map_get_dest_lapic). KVM posts only a fixed or lowest-priority interrupt that resolves to exactly one
// vCPU with APICv active; broadcasts and multicast fixed routes stay remapped and take the host path (§B.1 step 3).

import {
  type ApicAddressing,
  destinationSet,
  SHORTHAND_NONE,
  vectorHashTarget,
  X2APIC_BROADCAST,
  XAPIC_BROADCAST,
} from '../../../arch/x86/off-path/destination.ts';
import { DM_FIXED, DM_LOWEST_PRIORITY } from '../../../arch/x86/off-path/icr.ts';
import type { MsiMessage } from '../../../arch/x86/off-path/msi.ts';

export const IRTE_REMAPPED = 0;
export const IRTE_POSTED = 1;

/** Why a route stays remapped (for traces and tests). */
export const REMAP_NO_POSTING = 'no-posting-capability';
export const REMAP_DELIVERY_MODE = 'delivery-mode-not-postable';
export const REMAP_BROADCAST = 'broadcast';
export const REMAP_NOT_SINGLE = 'not-single-vcpu';
export const REMAP_APICV_INACTIVE = 'apicv-inactive';

export interface IrteDecision {
  mode: number;
  /** Target vCPU index (posted), or -1. */
  vcpu: number;
  /** Virtual vector VV written into the IRTE (posted), or -1. */
  vv: number;
  reason: string;
}

export interface IrteContext {
  /** VT-d posted-interrupt capability and enable_apicv. */
  postingCapable: boolean;
  vcpus: readonly ApicAddressing[];
  apicvActive: readonly boolean[];
}

const remapped = (reason: string): IrteDecision => ({ mode: IRTE_REMAPPED, vcpu: -1, vv: -1, reason });

export function irteModeFor(msi: MsiMessage, ctx: IrteContext): IrteDecision {
  if (!ctx.postingCapable) return remapped(REMAP_NO_POSTING);
  if (msi.deliveryMode !== DM_FIXED && msi.deliveryMode !== DM_LOWEST_PRIORITY) return remapped(REMAP_DELIVERY_MODE);
  // The fast path refuses the broadcast MDA outright, even with a single vCPU.
  const x2apic = ctx.vcpus.length > 0 && ctx.vcpus[0].x2apic;
  if (x2apic ? msi.dest >>> 0 === X2APIC_BROADCAST : (msi.dest & 0xff) === XAPIC_BROADCAST)
    return remapped(REMAP_BROADCAST);
  const matched = destinationSet(ctx.vcpus, -1, SHORTHAND_NONE, msi.destMode, msi.dest);
  let target: number;
  if (msi.deliveryMode === DM_LOWEST_PRIORITY) target = vectorHashTarget(msi.vector, matched);
  else target = matched.length === 1 ? matched[0] : -1;
  if (target < 0) return remapped(REMAP_NOT_SINGLE);
  if (!ctx.apicvActive[target]) return remapped(REMAP_APICV_INACTIVE);
  return { mode: IRTE_POSTED, vcpu: target, vv: msi.vector, reason: '' };
}
