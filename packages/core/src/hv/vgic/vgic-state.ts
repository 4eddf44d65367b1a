// KVM-like vgic software state (semantics §A.7; K:arm_vgic.h struct vgic_irq, struct vgic_cpu). One slot per
// interrupt — SGIs/PPIs banked per vCPU, SPIs and LPIs per VM — with every vgic_irq field as its own typed
// array, all sized at construction, so injection, flush and sync never allocate. The ap_list of each vCPU is a
// slice of one Int32Array holding slot numbers in list order (KVM appends at the tail, sorts in place).

export const VGIC_NR_PRIVATE_IRQS = 32;
export const VGIC_NR_SGIS = 16;
export const VGIC_MIN_LPI = 8192;
export const VGIC_MAX_VCPUS_V2 = 8;

/** Injector identities for the ownership check of kvm_vgic_inject_irq (K:vgic.c vgic_validate_injection). */
export const OWNER_NONE = 0; // userspace / irqfd
export const OWNER_TIMER = 1; // arch timer (K:arch_timer.c kvm_vgic_set_owner)

/** Side effects the engine must act on, recorded by the last API call as (kind, arg) pairs in `ev`. */
export const EV_KICK = 1; // arg = vCPU: KVM_REQ_IRQ_PENDING was set; kick it (IPI if in guest, wake if blocked)
export const EV_PHYS_DEACTIVATE = 2; // arg = physical INTID: write the physical GIC's DIR (HW-mapped IRQ)
export const EV_RESAMPLE = 3; // arg = INTID: a SW level SPI was EOIed (kvm_notify_acked_irq → irqfd resampler)
export const EV_DOORBELL = 4; // arg = vCPU: GICv4 doorbell handled (pending_last set, kicked)

export const SYNC_FOLDED = 0; // LRs read back
export const SYNC_REPLAYED = 1; // EOIcount deactivations replayed
export const SYNC_MIGRATED = 2; // IRQs moved to another vCPU's ap_list

export interface VgicConfig {
  nrVcpus: number;
  /** Number of SPIs (INTIDs 32 .. 32 + nrSpis − 1). */
  nrSpis: number;
  /** Number of LPIs (INTIDs 8192 .. 8192 + nrLpis − 1). */
  nrLpis?: number;
  /** Guest-visible GIC model (2: GICv2 semantics incl. SGI sources; 3: GICv3). */
  model: 2 | 3;
  /** Host CPU implements ICH_HCR_EL2.TDIR; when false KVM always sets TDIR (K:vgic-v3.c vgic_v3_configure_hcr). */
  hasTdir?: boolean;
}

export class VgicState {
  readonly nrVcpus: number;
  readonly nrSpis: number;
  readonly nrLpis: number;
  readonly model: 2 | 3;
  readonly hasTdir: boolean;
  /** Number of interrupt slots: 32 per vCPU + SPIs + LPIs. */
  readonly nrIrqs: number;
  /** Capacity of one vCPU's ap_list (every IRQ that could ever target it). */
  readonly apCap: number;

  // struct vgic_irq, one entry per slot
  readonly intid: Uint32Array;
  readonly pendingLatch: Uint8Array;
  readonly lineLevel: Uint8Array;
  readonly active: Uint8Array;
  readonly enabled: Uint8Array;
  /** config: 1 = level, 0 = edge. */
  readonly cfgLevel: Uint8Array;
  readonly group: Uint8Array;
  readonly priority: Uint8Array;
  readonly hw: Uint8Array;
  /** Physical INTID of a HW-mapped IRQ (−1 = none). */
  readonly hwintid: Int32Array;
  /** Physical line level of a mapped level IRQ, read back at resample (vgic_get_phys_line_level). */
  readonly physLine: Uint8Array;
  /** GICv2 SGI: bitmap of sending CPUs still pending; active_source: CPU of the active instance. */
  readonly source: Uint8Array;
  readonly activeSource: Uint8Array;
  readonly owner: Uint8Array;
  /** Configured target (ITARGETSR / IROUTER / ITS collection), −1 = none. */
  readonly targetVcpu: Int16Array;
  /** vCPU whose ap_list holds the IRQ, −1 = none (irq->vcpu). */
  readonly vcpu: Int16Array;
  readonly onLr: Uint8Array;
  /** GICv4: LPI forwarded to a hardware vLPI (its pending state lives in the VPT, not here). */
  readonly forwarded: Uint8Array;

  // struct vgic_cpu
  readonly ap: Int32Array;
  readonly apLen: Int32Array;
  /** ap_list position of the last IRQ written to an LR by the last flush (−1: none). EOIcount replay start. */
  readonly lastLrPos: Int32Array;
  /** KVM_REQ_IRQ_PENDING per vCPU (cleared by the engine when it processes the request). */
  readonly irqPendingReq: Uint8Array;
  /** GICv4 its_vpe.pending_last (K:vgic.c kvm_vgic_vcpu_pending_irq). */
  readonly pendingLast: Uint8Array;

  /** Distributor enable (GICD_CTLR.EnableGrp*). */
  distEnabled = true;
  /** Number of SPIs whose software state is active anywhere in the VM (kvm->arch.vgic.active_spis, G-20). */
  activeSpis = 0;

  /** Side-effect log of the last API call: pairs (EV_*, arg). */
  readonly ev: Int32Array;
  evLen = 0;
  /** ap_list summary of the last flush (K:vgic.h struct ap_list_summary): nr_pend, nr_act, nr_sgi. */
  readonly summary = new Int32Array(3);
  /** Counters of the last sync, for cost accounting: [SYNC_FOLDED, SYNC_REPLAYED, SYNC_MIGRATED]. */
  readonly syncStats = new Int32Array(3);

  constructor(c: VgicConfig) {
    if (!Number.isInteger(c.nrVcpus) || c.nrVcpus < 1) throw new RangeError('nrVcpus must be ≥ 1');
    if (c.model === 2 && c.nrVcpus > VGIC_MAX_VCPUS_V2) throw new RangeError('GICv2 supports at most 8 vCPUs');
    if (c.nrSpis < 0 || c.nrSpis > 988) throw new RangeError('nrSpis must be 0..988');
    this.nrVcpus = c.nrVcpus;
    this.nrSpis = c.nrSpis;
    this.nrLpis = c.nrLpis ?? 0;
    this.model = c.model;
    this.hasTdir = c.hasTdir ?? true;
    const n = c.nrVcpus * VGIC_NR_PRIVATE_IRQS + this.nrSpis + this.nrLpis;
    this.nrIrqs = n;
    this.apCap = VGIC_NR_PRIVATE_IRQS + this.nrSpis + this.nrLpis;
    this.intid = new Uint32Array(n);
    this.pendingLatch = new Uint8Array(n);
    this.lineLevel = new Uint8Array(n);
    this.active = new Uint8Array(n);
    this.enabled = new Uint8Array(n);
    this.cfgLevel = new Uint8Array(n);
    this.group = new Uint8Array(n);
    this.priority = new Uint8Array(n);
    this.hw = new Uint8Array(n);
    this.hwintid = new Int32Array(n).fill(-1);
    this.physLine = new Uint8Array(n);
    this.source = new Uint8Array(n);
    this.activeSource = new Uint8Array(n);
    this.owner = new Uint8Array(n);
    this.targetVcpu = new Int16Array(n);
    this.vcpu = new Int16Array(n).fill(-1);
    this.onLr = new Uint8Array(n);
    this.forwarded = new Uint8Array(n);
    this.ap = new Int32Array(c.nrVcpus * this.apCap);
    this.apLen = new Int32Array(c.nrVcpus);
    this.lastLrPos = new Int32Array(c.nrVcpus).fill(-1);
    this.irqPendingReq = new Uint8Array(c.nrVcpus);
    this.pendingLast = new Uint8Array(c.nrVcpus);
    // Each IRQ contributes at most two events per call, plus one kick per vCPU.
    this.ev = new Int32Array(2 * (2 * this.nrIrqs + 2 * c.nrVcpus + 8));
    this.reset();
  }

  /**
   * Reset values (K:vgic-init.c kvm_vgic_vcpu_init / kvm_vgic_dist_init): SGIs enabled edge, PPIs level,
   * SPIs edge disabled, default priority 0xa0, group 1 for a GICv3 model and group 0 for GICv2 (KVM's
   * default); private IRQs target their own vCPU, SPIs vCPU 0.
   */
  reset(): void {
    const P = VGIC_NR_PRIVATE_IRQS;
    for (let v = 0; v < this.nrVcpus; v++) {
      for (let i = 0; i < P; i++) {
        const s = v * P + i;
        this.intid[s] = i;
        this.targetVcpu[s] = v;
        this.enabled[s] = i < VGIC_NR_SGIS ? 1 : 0;
        this.cfgLevel[s] = i < VGIC_NR_SGIS ? 0 : 1;
      }
    }
    const spiBase = this.nrVcpus * P;
    for (let i = 0; i < this.nrSpis; i++) {
      this.intid[spiBase + i] = 32 + i;
      this.targetVcpu[spiBase + i] = 0;
    }
    const lpiBase = spiBase + this.nrSpis;
    for (let i = 0; i < this.nrLpis; i++) {
      this.intid[lpiBase + i] = VGIC_MIN_LPI + i;
      this.targetVcpu[lpiBase + i] = -1;
    }
    this.priority.fill(0xa0);
    this.group.fill(this.model === 3 ? 1 : 0);
    this.pendingLatch.fill(0);
    this.lineLevel.fill(0);
    this.active.fill(0);
    this.hw.fill(0);
    this.hwintid.fill(-1);
    this.physLine.fill(0);
    this.source.fill(0);
    this.activeSource.fill(0);
    this.owner.fill(OWNER_NONE);
    this.vcpu.fill(-1);
    this.onLr.fill(0);
    this.forwarded.fill(0);
    this.apLen.fill(0);
    this.lastLrPos.fill(-1);
    this.irqPendingReq.fill(0);
    this.pendingLast.fill(0);
    this.activeSpis = 0;
    this.distEnabled = true;
    this.evLen = 0;
  }
}

/**
 * Slot of (vcpu, intid) — the vgic_get_irq / vgic_get_vcpu_irq lookup. Private INTIDs are banked per vCPU.
 * Returns −1 for an INTID this VM does not implement.
 */
export function vgicIrqSlot(s: VgicState, vcpu: number, intid: number): number {
  if (intid < VGIC_NR_PRIVATE_IRQS) {
    if (vcpu < 0 || vcpu >= s.nrVcpus || intid < 0) return -1;
    return vcpu * VGIC_NR_PRIVATE_IRQS + intid;
  }
  const spiBase = s.nrVcpus * VGIC_NR_PRIVATE_IRQS;
  if (intid < 32 + s.nrSpis) return spiBase + intid - 32;
  if (intid >= VGIC_MIN_LPI && intid < VGIC_MIN_LPI + s.nrLpis) return spiBase + s.nrSpis + intid - VGIC_MIN_LPI;
  return -1;
}

export const irqIsSgi = (intid: number): boolean => intid < VGIC_NR_SGIS;
export const irqIsSpi = (intid: number): boolean => intid >= 32 && intid < 1020;
export const irqIsLpi = (intid: number): boolean => intid >= VGIC_MIN_LPI;

/** K:vgic.h irq_is_pending: edge → pending_latch; level → pending_latch || line_level. */
export function irqIsPending(s: VgicState, i: number): boolean {
  return s.pendingLatch[i] !== 0 || (s.cfgLevel[i] !== 0 && s.lineLevel[i] !== 0);
}

/** K:vgic.h vgic_irq_is_mapped_level. */
export const irqIsMappedLevel = (s: VgicState, i: number): boolean => s.hw[i] !== 0 && s.cfgLevel[i] !== 0;

/** K:vgic.h vgic_irq_is_multi_sgi: a GICv2 SGI with more than one source pending. */
export function irqIsMultiSgi(s: VgicState, i: number): boolean {
  if (s.model !== 2 || !irqIsSgi(s.intid[i])) return false;
  const src = s.source[i];
  return (src & (src - 1)) !== 0;
}

export function vgicEmit(s: VgicState, kind: number, arg: number): void {
  if (s.evLen + 2 > s.ev.length) throw new RangeError('vgic event log overflow');
  s.ev[s.evLen++] = kind;
  s.ev[s.evLen++] = arg;
}

/** Starts a new API call: the event log describes only that call's side effects. */
export function vgicBeginCall(s: VgicState): void {
  s.evLen = 0;
}

/** Number of events of a kind in the last call's log (tests, accounting). */
export function vgicCountEvents(s: VgicState, kind: number): number {
  let n = 0;
  for (let k = 0; k < s.evLen; k += 2) if (s.ev[k] === kind) n++;
  return n;
}

/** Events of the last call as a list (tests and tracing; allocates). */
export function vgicEvents(s: VgicState): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = 0; k < s.evLen; k += 2) out.push([s.ev[k], s.ev[k + 1]]);
  return out;
}

/** ap_list of a vCPU as slots (tests and tracing; allocates). */
export function vgicApList(s: VgicState, vcpu: number): number[] {
  const out: number[] = [];
  const base = vcpu * s.apCap;
  for (let k = 0; k < s.apLen[vcpu]; k++) out.push(s.ap[base + k]);
  return out;
}

/** Changes the software active state, keeping the VM-wide active-SPI count (TDIR policy, G-20) exact. */
export function vgicSetActiveState(s: VgicState, i: number, active: boolean): void {
  const was = s.active[i] !== 0;
  if (was === active) return;
  s.active[i] = active ? 1 : 0;
  if (irqIsSpi(s.intid[i])) s.activeSpis += active ? 1 : -1;
}
