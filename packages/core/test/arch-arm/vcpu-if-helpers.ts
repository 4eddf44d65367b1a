// Re-exports for the vCPU-interface tests plus tiny readers.

import { ARM_HCR, hcrEoiCount } from '../../src/arch/arm/cpuif-block.ts';

export {
  cpuifMaintenance,
  cpuifUpdate,
  cpuifVirqPending,
  ichHighestActiveVirtPrio,
  icvDir,
  icvEoir,
  icvIar,
} from '../../src/arch/arm/vcpu-if.ts';

export const hcrEoiCountOf = (g: Uint32Array): number => hcrEoiCount(g[ARM_HCR]);
