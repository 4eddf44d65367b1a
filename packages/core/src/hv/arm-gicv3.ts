// arm-gicv3 — GICv3 virtualization (semantics §B.6): ICH_LR<n>_EL2 system registers (cheaper than GICv2's MMIO),
// the guest uses ICV_* system registers without traps, device MSIs are LPIs through KVM's emulated ITS, SGIs trap
// on the sender's ICC_SGI1R_EL1 write (EXIT:ARM_SYSREG). One exit per device interrupt to a running vCPU
// (EXIT:ARM_IRQ) plus maintenance exits when the LRs overflow.

import type { SchemeId } from '../scenario/schema.ts';
import { GicScheme } from './arm/gic-scheme.ts';
import { gicv3Backend } from './arm/gicv3-backend.ts';
import type { SchemeHost } from './scheme.ts';

export class ArmGicv3Scheme extends GicScheme {
  readonly id: SchemeId = 'arm-gicv3';
  constructor(host: SchemeHost) {
    super(host, gicv3Backend, null);
  }
}
