// The guest-visible ITS, emulated by the hypervisor (K:vgic-its.c; semantics §A.8 "KVM emulated vITS"): guest
// commands edit an ItsTables instance and mirror LPI configuration into the vgic; an MSI is translated and
// injected as an LPI on the collection's vCPU (vgic_its_trigger_msi). Collections target vCPU indices.

import {
  type ItsTables,
  itsInv,
  itsInvall,
  itsMapti,
  itsMovi,
  itsTranslate,
  LPI_MIN,
  lpiPropEnabled,
  lpiPropPriority,
} from '../../arch/arm/its.ts';
import { VGIC_INJECT_INVALID, VGIC_NO_KICK, vgicQueueIrq } from './vgic.ts';
import { type VgicState, vgicBeginCall, vgicIrqSlot } from './vgic-state.ts';

/** vgicItsTriggerMsi result when the ITS dropped the MSI (unmapped device / event / collection). */
export const ITS_MSI_DROPPED = -4;

/**
 * K:vgic-its.c update_lpi_config: copy the cached property byte into the vgic (priority = byte & 0xfc,
 * enabled = bit 0) and queue the LPI in case it became deliverable. Returns the kicked vCPU or −1.
 */
export function vgicUpdateLpiConfig(s: VgicState, its: ItsTables, intid: number): number {
  const i = vgicIrqSlot(s, 0, intid);
  if (i < 0) return VGIC_INJECT_INVALID;
  const b = its.propCache[intid - LPI_MIN];
  s.priority[i] = lpiPropPriority(b);
  s.enabled[i] = lpiPropEnabled(b) ? 1 : 0;
  return vgicQueueIrq(s, i);
}

function collectionTarget(its: ItsTables, icid: number): number {
  return its.cteValid[icid] ? its.cteTarget[icid] : -1;
}

/**
 * MAPTI (K:vgic-its.c vgic_its_cmd_handle_mapi): ignored if the ITE exists (I-04); otherwise the LPI is
 * allocated in the vgic, targets the collection's vCPU and takes its configuration from the property table.
 * Returns 1 if mapped.
 */
export function vgicItsMapti(
  s: VgicState,
  its: ItsTables,
  dev: number,
  ev: number,
  intid: number,
  icid: number,
): number {
  vgicBeginCall(s);
  if (!itsMapti(its, dev, ev, intid, icid)) return 0;
  const i = vgicIrqSlot(s, 0, intid);
  if (i < 0) return 0;
  s.targetVcpu[i] = collectionTarget(its, icid);
  its.propCache[intid - LPI_MIN] = its.prop[intid - LPI_MIN];
  vgicUpdateLpiConfig(s, its, intid);
  return 1;
}

/**
 * MOVI (K:vgic-its.c vgic_its_cmd_handle_movi + update_affinity): the ITE and the LPI's target move to the new
 * collection's vCPU; the translation cache is invalidated. A forwarded vLPI is moved by the caller on the host
 * ITS (vgic-v4.ts vgicV4Movi → VMOVI). Returns 1 if moved.
 */
export function vgicItsMovi(s: VgicState, its: ItsTables, dev: number, ev: number, icid: number): number {
  vgicBeginCall(s);
  if (!its.cteValid[icid] || !itsMovi(its, dev, ev, icid)) return 0;
  const k = dev * its.c.maxEvents + ev;
  const i = vgicIrqSlot(s, 0, its.iteIntid[k]);
  if (i >= 0) s.targetVcpu[i] = collectionTarget(its, icid);
  return 1;
}

/** INV: reload one LPI's configuration into the vgic. Returns the kicked vCPU, −1, or VGIC_INJECT_INVALID. */
export function vgicItsInv(s: VgicState, its: ItsTables, dev: number, ev: number): number {
  vgicBeginCall(s);
  const intid = itsInv(its, dev, ev);
  return intid < 0 ? VGIC_INJECT_INVALID : vgicUpdateLpiConfig(s, its, intid);
}

/** INVALL: reload every LPI of the collection. Returns the number reloaded. */
export function vgicItsInvall(s: VgicState, its: ItsTables, icid: number): number {
  vgicBeginCall(s);
  const n = itsInvall(its, icid);
  for (let k = 0; k < its.iteValid.length; k++) {
    if (its.iteValid[k] && !its.iteVirtual[k] && its.iteTarget[k] === icid)
      vgicUpdateLpiConfig(s, its, its.iteIntid[k]);
  }
  return n;
}

/**
 * A device's MSI to the emulated ITS (K:vgic-its.c vgic_its_trigger_msi): translate, latch the LPI pending on
 * the collection's vCPU and queue it. Returns the kicked vCPU, VGIC_NO_KICK (latched but not deliverable, e.g.
 * disabled), or ITS_MSI_DROPPED.
 */
export function vgicItsTriggerMsi(s: VgicState, its: ItsTables, dev: number, ev: number): number {
  vgicBeginCall(s);
  const k = itsTranslate(its, dev, ev);
  if (k < 0 || its.iteVirtual[k]) return ITS_MSI_DROPPED;
  const i = vgicIrqSlot(s, 0, its.iteIntid[k]);
  if (i < 0) return ITS_MSI_DROPPED;
  s.targetVcpu[i] = collectionTarget(its, its.iteTarget[k]);
  s.pendingLatch[i] = 1;
  const r = vgicQueueIrq(s, i);
  return r >= 0 ? r : VGIC_NO_KICK;
}
