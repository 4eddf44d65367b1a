// What differs between GIC generations, as one record per generation (gicv2-backend.ts, gicv3-backend.ts,
// gicv4-backend.ts). GicScheme (gic-scheme.ts) and createGicVm (gic-vm.ts) read these fields instead of testing
// the generation, so a generation is added or changed in its own file. Every backend lists the same fields in
// the same order (test/hv/gic-backends.test.ts checks it), so the files can be read side by side.
// GICv4 direct injection (vLPIs through the host ITS, doorbells, vSGIs) is not a backend field: it is a component
// the arm-gicv4 scheme holds (gicv4-direct.ts), on top of the GICv3 backend's LR path.

import type { ItsTables } from '../../arch/arm/its.ts';
import type { CostName } from '../../scenario/costs.ts';
import type { VgicState } from '../vgic/vgic-state.ts';

/** Guest priority of every interrupt (Linux default 0xa0): no preemption among them, as on the x86 side. */
export const GUEST_PRIO = 0xa0;
/** Vectors a VM can use (one SPI or LPI per device vector). */
export const NR_VECTORS = 256;
/** DeviceID of the assigned NIC on the (guest and host) ITS. */
export const ITS_DEV_NIC = 0;

/** The cost names a generation reads for the guest's CPU-interface accesses, LR save/restore and SGI traps. */
export interface GicCostKeys {
  /** Guest IAR read (GICV_IAR or ICV_IAR1_EL1), no trap. */
  readonly ack: CostName;
  /** Guest EOIR write (GICV_EOIR or ICV_EOIR1_EL1), no trap. */
  readonly eoi: CostName;
  /** One list register read or written by KVM (GICH_LR MMIO or ICH_LR<n>_EL2). */
  readonly lr: CostName;
  /** Fixed save/restore of the interface state (HCR, VMCR, APRs) per entry. */
  readonly state: CostName;
  /** The sender's trapped SGI write (GICD_SGIR data abort or ICC_SGI1R_EL1 trap). */
  readonly sgiTrap: CostName;
}

export interface GicBackend {
  /** Generation label (traces and messages). */
  readonly name: string;
  /** List-register format of the vCPU's ARM area (arch/arm LR_FMT_V2 / LR_FMT_V3: how LRs encode and decode). */
  readonly lrFormat: number;
  /** Guest-visible vgic model (KVM's vgic_model): 2 keeps SGI sources, 3 does not. */
  readonly vgicModel: 2 | 3;
  /** Sources a pending SGI is tracked per (GICv2: one per sending CPU, 8; GICv3: 1). */
  readonly sgiSources: number;
  /** SPIs and LPIs the VM's vgic is sized for. */
  readonly nrSpis: number;
  readonly nrLpis: number;
  /** The INTID a device vector is raised as (GICv2: SPI through GICv2m; GICv3: LPI through the ITS). */
  deviceIntid(vector: number): number;
  /** The guest-visible emulated ITS of a VM of n vCPUs, set up as the guest driver does; null without one. */
  createGuestIts(n: number): ItsTables | null;
  /** The guest driver routes device vector `vector` (INTID `intid`) to vmVcpu. */
  routeDevice(s: VgicState, vits: ItsTables | null, vector: number, intid: number, vmVcpu: number): void;
  /** VFIO → irqfd: inject device vector `vector` (INTID `intid`) for vmVcpu (SPI, or MSI through the ITS). */
  injectDevice(s: VgicState, vits: ItsTables | null, vmVcpu: number, vector: number, intid: number): void;
  /** The trapped SGI write of vCPU `from` reaches KVM: queue SGI `sgi` on `target` (one target). */
  sendSgi(s: VgicState, from: number, sgi: number, target: number): void;
  /** End (exclusive) of the broadcast targets[k..n) one trapped SGI write can name (GICv2 target list, GICv3 Aff1). */
  sgiWriteEnd(targets: Int32Array, k: number, n: number, first: number): number;
  /** The INTID of a raw IAR value (GICv2 carries the SGI source in bits [12:10]). */
  iarIntid(raw: number): number;
  /** Exit reason of the sender's trapped SGI write. */
  readonly sgiTrapReason: number;
  /** Cost names this generation reads. */
  readonly costKeys: GicCostKeys;
}
