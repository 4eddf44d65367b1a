// GICv3 (semantics §B.6): ICH_LR<n>_EL2 system registers, the guest's ICV_* registers, device MSIs as LPIs
// through KVM's emulated ITS (EventID = vector on DeviceID ITS_DEV_NIC), SGIs trapped on the sender's
// ICC_SGI1R_EL1 write (EXIT:ARM_SYSREG), one write per affinity cluster.

import { LR_FMT_V3 } from '../../arch/arm/cpuif-block.ts';
import { ItsTables, itsMapc, itsMapd, LPI_PROP_ENABLE } from '../../arch/arm/its.ts';
import { ExitReasonId } from '../exit-reasons.ts';
import { sgiClusterEnd } from '../ipi-broadcast.ts';
import { vgicItsMapti, vgicItsTriggerMsi } from '../vgic/vgic-its.ts';
import { vgicV3DispatchSgi } from '../vgic/vgic-sgi.ts';
import { type GicBackend, GUEST_PRIO, ITS_DEV_NIC, NR_VECTORS } from './gic-backend.ts';

const LPI_BASE = 8192;

/** ITS sizing of a VM of n vCPUs: the NIC's ITT, one collection and one vPE per vCPU (also the GICv4 host ITS). */
export const gicItsConfig = (n: number) => ({
  maxDevices: 1,
  maxEvents: NR_VECTORS,
  maxCollections: n,
  maxVpes: n,
  maxLpis: NR_VECTORS,
});

/** The single SGI target of sendSgi, reused (no allocation per SGI). */
const oneTarget = new Int32Array(1);

export const gicv3Backend: GicBackend = {
  name: 'GICv3',
  lrFormat: LR_FMT_V3,
  vgicModel: 3,
  sgiSources: 1,
  nrSpis: 0,
  nrLpis: NR_VECTORS,
  deviceIntid: (vector) => LPI_BASE + vector,
  createGuestIts(n) {
    // The guest driver's ITS setup: one collection per vCPU, the NIC's ITT, LPIs enabled at GUEST_PRIO.
    const vits = new ItsTables(gicItsConfig(n));
    vits.prop.fill(GUEST_PRIO | LPI_PROP_ENABLE);
    for (let c = 0; c < n; c++) itsMapc(vits, c, true, c);
    itsMapd(vits, ITS_DEV_NIC, true, NR_VECTORS);
    return vits;
  },
  routeDevice(s, vits, vector, intid, vmVcpu) {
    vgicItsMapti(s, vits as ItsTables, ITS_DEV_NIC, vector, intid, vmVcpu);
  },
  injectDevice(s, vits, _vmVcpu, vector) {
    vgicItsTriggerMsi(s, vits as ItsTables, ITS_DEV_NIC, vector);
  },
  sendSgi(s, from, sgi, target) {
    oneTarget[0] = target;
    vgicV3DispatchSgi(s, from, sgi, false, oneTarget, 1);
  },
  // gic_ipi_send_mask: one ICC_SGI1R_EL1 write per Aff1 cluster (up to 16 Aff0 targets in its TargetList).
  sgiWriteEnd: sgiClusterEnd,
  iarIntid: (raw) => raw,
  sgiTrapReason: ExitReasonId.ARM_SYSREG,
  costKeys: {
    ack: 'vgicAckSysreg',
    eoi: 'vgicEoiSysreg',
    lr: 'lrAccessSysreg',
    state: 'vgicStateSysreg',
    sgiTrap: 'sgiTrapSysreg',
  },
};
