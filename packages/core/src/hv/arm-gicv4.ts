// arm-gicv4 — GICv4 / v4.1 direct injection (semantics §B.7): the GICv3 LR path (gicv4Backend) with the
// direct-injection component (arm/gicv4-direct.ts: vLPIs through the host ITS, doorbells, GICv4.1 vSGIs, the
// HCR_EL2.TWI decision) composed in.

import type { SchemeId } from '../scenario/schema.ts';
import { GicScheme } from './arm/gic-scheme.ts';
import { gicv4Backend } from './arm/gicv4-backend.ts';
import { Gicv4Direct } from './arm/gicv4-direct.ts';
import type { SchemeConfig } from './descriptors.ts';
import type { SchemeHost } from './scheme.ts';

export { kvmVcpuShouldClearTwi, type WfiTrapPolicy } from './arm/gicv4-direct.ts';

export class ArmGicv4Scheme extends GicScheme {
  readonly id: SchemeId = 'arm-gicv4';
  constructor(host: SchemeHost, config: SchemeConfig<'arm-gicv4'>) {
    super(host, gicv4Backend, (core, h) => new Gicv4Direct(core, h, config.wfiTrapPolicy));
  }
}
