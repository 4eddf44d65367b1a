// SGI generation (K:vgic-mmio-v2.c vgic_mmio_write_sgir; K:vgic-mmio-v3.c vgic_v3_dispatch_sgi /
// vgic_v3_queue_sgi; semantics §B.7 GICv4.1 vSGIs). The sender's write traps; KVM latches the SGI on each target
// (GICv2: with the sender as a source bit, G-21) and kicks it. GICv4.1 vSGIs (irq.hw on an SGI) bypass the
// ap_list: the caller passes a sink that writes GITS_SGIR (vgic-v4.ts vgicV4SendVsgi).

import { vgicQueueIrq } from './vgic.ts';
import { irqIsSgi, type VgicState, vgicBeginCall, vgicIrqSlot } from './vgic-state.ts';

/** GICD_SGIR.TargetListFilter. */
export const SGIR_FILTER_LIST = 0;
export const SGIR_FILTER_ALL_BUT_SELF = 1;
export const SGIR_FILTER_SELF = 2;

/** Where an `hw` (GICv4.1 direct) SGI goes instead of the ap_list. Returns 1 if it was delivered or latched. */
export type VsgiSink = (target: number, sgi: number) => number;

function queueSgi(s: VgicState, from: number, target: number, sgi: number, vsgi: VsgiSink | null): number {
  const i = vgicIrqSlot(s, target, sgi);
  if (s.hw[i] && vsgi) return vsgi(target, sgi);
  s.pendingLatch[i] = 1;
  if (s.model === 2) s.source[i] |= 1 << from;
  vgicQueueIrq(s, i);
  return 1;
}

/**
 * GICv2 GICD_SGIR write by vCPU `from`: filter 0 = target list (bit per CPU), 1 = all but self, 2 = self,
 * 3 = reserved (ignored). Returns the number of vCPUs the SGI was queued on. Events: EV_KICK per target.
 */
export function vgicV2WriteSgir(s: VgicState, from: number, sgi: number, filter: number, targetList: number): number {
  vgicBeginCall(s);
  if (!irqIsSgi(sgi)) return 0;
  let targets: number;
  const all = (1 << s.nrVcpus) - 1;
  if (filter === SGIR_FILTER_LIST) targets = targetList & all;
  else if (filter === SGIR_FILTER_ALL_BUT_SELF) targets = all & ~(1 << from);
  else if (filter === SGIR_FILTER_SELF) targets = 1 << from;
  else return 0;
  let n = 0;
  for (let t = 0; t < s.nrVcpus; t++) if (targets & (1 << t)) n += queueSgi(s, from, t, sgi, null);
  return n;
}

/**
 * GICv3 ICC_SGI1R_EL1 write by vCPU `from` (already decoded from affinity to vCPU indices): IRM = 1 → every
 * vCPU but the sender; else the vCPUs in `targets` (a list of indices, reused by the caller, no allocation).
 * Returns the number of vCPUs reached. Events: EV_KICK for ap_list deliveries.
 */
export function vgicV3DispatchSgi(
  s: VgicState,
  from: number,
  sgi: number,
  irm: boolean,
  targets: ArrayLike<number>,
  nTargets: number,
  vsgi: VsgiSink | null = null,
): number {
  vgicBeginCall(s);
  if (!irqIsSgi(sgi)) return 0;
  let n = 0;
  if (irm) {
    for (let t = 0; t < s.nrVcpus; t++) if (t !== from) n += queueSgi(s, from, t, sgi, vsgi);
    return n;
  }
  for (let k = 0; k < nTargets; k++) {
    const t = targets[k];
    if (t >= 0 && t < s.nrVcpus) n += queueSgi(s, from, t, sgi, vsgi);
  }
  return n;
}
