// arm-gicv2 — GICv2 virtualization (semantics §B.5): GICH list registers written over MMIO at every entry, the
// guest acknowledges and EOIs through the GICV frame without exits, device MSIs arrive as SPIs (GICv2m), SGIs
// trap on the sender's GICD_SGIR write (EXIT:ARM_MMIO) and carry the source CPU. One exit per device interrupt
// to a running vCPU (EXIT:ARM_IRQ) plus maintenance exits when the LRs overflow.

import type { SchemeId } from '../scenario/schema.ts';
import { GicScheme } from './arm/gic-scheme.ts';
import { gicv2Backend } from './arm/gicv2-backend.ts';
import type { SchemeHost } from './scheme.ts';

export class ArmGicv2Scheme extends GicScheme {
  readonly id: SchemeId = 'arm-gicv2';
  constructor(host: SchemeHost) {
    super(host, gicv2Backend, null);
  }
}
