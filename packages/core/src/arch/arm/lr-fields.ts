// Format-independent description of one list register (semantics §A.5/§A.6). Used by the bit-exact codecs in
// lr-v2.ts / lr-v3.ts for tests, display and snapshots; the hot path never builds these objects, it works on
// the packed words through lr-view.ts.

/** LR.State encodings, identical in GICH_LR[29:28] and ICH_LR<n>_EL2[63:62] (GICv2/GICv3 LR descriptions). */
export const LR_INVALID = 0;
export const LR_PENDING = 1;
export const LR_ACTIVE = 2;
export const LR_PENDING_ACTIVE = 3;

export interface LrFields {
  /** Virtual INTID (GICv2: 10 bits; GICv3: 32 bits). */
  vintid: number;
  /** Physical INTID deactivated with the virtual one when hw = 1 (GICv2: 10 bits; GICv3: 13 bits). */
  pintid: number;
  /** GICv2 SGI source CPU (HW = 0 only). */
  cpuid: number;
  /** Maintenance interrupt on deactivation (HW = 0 only: the bit is part of pINTID otherwise). */
  eoi: boolean;
  state: number;
  /** 0 = Group 0 (vFIQ), 1 = Group 1 (vIRQ). */
  group: number;
  /** 8-bit priority as the hypervisor meant it (GICv2 stores only prio >> 3). */
  priority: number;
  hw: boolean;
  /** FEAT_GICv3_NMI (ICH_LR bit 59); always false on GICv2. */
  nmi: boolean;
}

export function lrFields(p: Partial<LrFields>): LrFields {
  return {
    vintid: 0,
    pintid: 0,
    cpuid: 0,
    eoi: false,
    state: LR_INVALID,
    group: 1,
    priority: 0,
    hw: false,
    nmi: false,
    ...p,
  };
}
