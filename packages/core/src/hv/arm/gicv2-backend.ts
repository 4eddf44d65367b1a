// GICv2 (semantics §B.5): GICH list registers over MMIO, the guest's GICV frame, device MSIs as SPIs through a
// GICv2m frame, SGIs trapped on the sender's GICD_SGIR write (a data abort, EXIT:ARM_MMIO) carrying the source CPU.

import { LR_FMT_V2 } from '../../arch/arm/cpuif-block.ts';
import { ExitReasonId } from '../exit-reasons.ts';
import { kvmVgicInjectIrq } from '../vgic/vgic.ts';
import { vgicSetEnabled, vgicSetTarget } from '../vgic/vgic-dist.ts';
import { SGIR_FILTER_LIST, vgicV2WriteSgir } from '../vgic/vgic-sgi.ts';
import { type GicBackend, NR_VECTORS } from './gic-backend.ts';

const SPI_BASE = 32;

export const gicv2Backend: GicBackend = {
  name: 'GICv2',
  lrFormat: LR_FMT_V2,
  vgicModel: 2,
  sgiSources: 8,
  nrSpis: NR_VECTORS,
  nrLpis: 0,
  deviceIntid: (vector) => SPI_BASE + vector,
  createGuestIts: () => null,
  routeDevice(s, _vits, _vector, intid, vmVcpu) {
    vgicSetEnabled(s, 0, intid, true);
    vgicSetTarget(s, intid, vmVcpu);
  },
  injectDevice(s, _vits, vmVcpu, _vector, intid) {
    kvmVgicInjectIrq(s, vmVcpu, intid, true);
  },
  sendSgi(s, from, sgi, target) {
    vgicV2WriteSgir(s, from, sgi, SGIR_FILTER_LIST, 1 << target);
  },
  // gic_ipi_send_mask: one GICD_SGIR write with the CPU target list (a GICv2 VM has at most 8 vCPUs).
  sgiWriteEnd: (_targets, _k, n) => n,
  iarIntid: (raw) => raw & 0x3ff,
  sgiTrapReason: ExitReasonId.ARM_MMIO,
  costKeys: {
    ack: 'vgicAckMmio',
    eoi: 'vgicEoiMmio',
    lr: 'lrAccessMmio',
    state: 'vgicStateMmio',
    sgiTrap: 'sgiTrapMmio',
  },
};
