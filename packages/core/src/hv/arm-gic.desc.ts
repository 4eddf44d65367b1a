// arm-gicv2, arm-gicv3, arm-gicv4: KVM's vgic with list registers (GICH MMIO / ICH_* system registers), and GICv4
// direct injection of vLPIs through the ITS.

import { CPU_COSTS, KVM_COSTS, TRANSIT_COSTS } from './common-costs.ts';
import { costFamily, counterGroup, type SchemeDescriptor } from './descriptor.ts';

/** The virtual CPU interface and KVM's vgic (semantics §B.5–§B.6). */
export const VGIC_COSTS = costFamily('vgic', {
  vgicAckMmio: 'GICv2 guest reads GICV_IAR (virtual CPU interface, no trap).',
  vgicEoiMmio: 'GICv2 guest writes GICV_EOIR (no trap).',
  vgicAckSysreg: 'GICv3/v4 guest reads ICV_IAR1_EL1 (no trap).',
  vgicEoiSysreg: 'GICv3/v4 guest writes ICV_EOIR1_EL1 (no trap).',
  vgicStateMmio: 'GICv2: fixed part of the GICH save/restore around one exit (HCR, VMCR, APR, ELRSR, MISR).',
  vgicStateSysreg: 'GICv3: fixed part of the ICH_* save/restore around one exit.',
  lrAccessMmio: 'GICv2: one GICH_LR<n> write (flush) or read (sync).',
  lrAccessSysreg: 'GICv3: one ICH_LR<n>_EL2 write or read.',
  sgiTrapMmio: 'GICv2: trapped GICD_SGIR write → MMIO decode + vgic_mmio_write_sgir (after the exit).',
  sgiTrapSysreg: 'GICv3: trapped ICC_SGI1R_EL1 write → vgic_v3_dispatch_sgi (after the exit).',
  maintenanceHandling: 'Host handler of the maintenance interrupt (PPI 25): only forces the exit.',
  maintenanceLatency: 'Virtual interface asserts maintenance → the PE takes the IRQ (latency only).',
  vtimerHandling: 'Host side of the guest’s virtual timer (PPI 27 at EL2 / background hrtimer) → inject.',
});

/** GICv4 / v4.1 residency and doorbells (semantics §B.7). */
export const GICV4_COSTS = costFamily('gicv4', {
  vpeLoad: 'GICv4 vgic_v4_load + commit: VPENDBASER.Valid = 1, wait for Dirty = 0 (make resident).',
  vpePut: 'GICv4 vgic_v4_put: VPENDBASER.Valid = 0, PendingLast read back (make non-resident).',
  vmovp: 'GICv4: ITS VMOVP when the vPE’s redistributor changes.',
  doorbellHandler: 'GICv4: host doorbell LPI handler → pending_last, kick.',
  doorbellToggle: 'GICv4.0 only: enable/disable the per-vPE doorbell LPI around WFI (ITS INV).',
});

/** GICv4 doorbells and the VPT of non-resident vPEs (results' `blocking.v4`, DESIGN §15). */
export const GICV4_COUNTERS = counterGroup(
  'v4',
  {
    doorbellRequests: 'vgic_v4_put(need_db): the vPE made non-resident with a doorbell around WFI.',
    doorbells: 'Doorbells raised (GICv4.0 per vLPI, GICv4.1 per vPE).',
    doorbellWakes: 'Of those, the vCPU was halted (polling or blocked) and is woken.',
    doorbellRunnable: 'Of those, the vCPU was already runnable (between the WFI trap’s put and its block decision).',
    vptLatched: 'New vLPIs/vSGIs that went to the VPT of a non-resident vPE (no doorbell).',
    vptFoundAtLoad: 'Of those, found in the VPT when the vPE was made resident again.',
    vptPendingAtEnd: 'Of those, still in the VPT at the end.',
  },
  [
    {
      name: 'every doorbell wakes a halted vCPU or finds it already runnable',
      lhs: ['doorbells'],
      rel: '=',
      rhs: ['doorbellWakes', 'doorbellRunnable'],
    },
    {
      name: 'at most one doorbell per doorbell-requesting deschedule',
      lhs: ['doorbells'],
      rel: '<=',
      rhs: ['doorbellRequests'],
    },
    {
      name: 'every vLPI latched in a non-resident VPT is found at the next residency or is still pending at the end',
      lhs: ['vptLatched'],
      rel: '=',
      rhs: ['vptFoundAtLoad', 'vptPendingAtEnd'],
    },
  ],
);

const VGIC = [TRANSIT_COSTS, CPU_COSTS, KVM_COSTS, VGIC_COSTS] as const;

export const ARM_GICV2 = {
  id: 'arm-gicv2',
  virtualized: true,
  arch: ['arm'],
  summary: 'GICv2 virtualization: GICH/GICV, list registers (MMIO)',
  reads: { arm: VGIC },
  owns: [VGIC_COSTS],
  exitReasons: [],
  counters: [],
  vcpuState: { arena: ['arm'], private: ['vgic distributor and pending state'] },
  options: {},
} as const satisfies SchemeDescriptor;

export const ARM_GICV3 = {
  id: 'arm-gicv3',
  virtualized: true,
  arch: ['arm'],
  summary: 'GICv3: ICH_LR<n>_EL2 system registers, up to 16 LRs',
  reads: { arm: VGIC },
  owns: [],
  exitReasons: [],
  counters: [],
  vcpuState: { arena: ['arm'], private: ['vgic distributor and pending state'] },
  options: {},
} as const satisfies SchemeDescriptor;

export const ARM_GICV4 = {
  id: 'arm-gicv4',
  virtualized: true,
  arch: ['arm'],
  summary: 'GICv4/4.1 direct injection of vLPIs (and vSGIs) through the ITS',
  reads: { arm: [...VGIC, GICV4_COSTS] },
  owns: [GICV4_COSTS],
  exitReasons: [],
  counters: [GICV4_COUNTERS],
  vcpuState: { arena: ['arm'], private: ['vgic distributor and pending state', 'VPT', 'residency'] },
  options: {
    wfiTrapPolicy: {
      type: 'enum',
      values: ['default', 'trap', 'notrap'],
      default: 'default',
      meaning:
        'KVM’s kvm-arm.wfi_trap_policy: `default` clears HCR_EL2.TWI when the vCPU is alone on its pCPU and ' +
        'has direct vLPIs/vSGIs (kvm_vcpu_should_clear_twi); `trap` / `notrap` force it.',
    },
  },
} as const satisfies SchemeDescriptor;
