// bare-metal: no virtualization; the reference every scenario runs (DESIGN §1).

import { CPU_COSTS, GIC_CPUIF_COSTS, TRANSIT_COSTS, X86_LAPIC_COSTS } from './common-costs.ts';
import type { SchemeDescriptor } from './descriptor.ts';

export const BARE_METAL = {
  id: 'bare-metal',
  virtualized: false,
  arch: ['x86', 'arm'],
  summary: 'no virtualization (x86 LAPIC or ARM GIC physical CPU interface)',
  reads: { x86: [TRANSIT_COSTS, CPU_COSTS, X86_LAPIC_COSTS], arm: [TRANSIT_COSTS, CPU_COSTS, GIC_CPUIF_COSTS] },
  owns: [],
  exitReasons: [],
  counters: [],
  vcpuState: { arena: ['lapic'], private: [] }, // on ARM too: the generic pending bitmap (bare-metal.ts)
  options: {},
} as const satisfies SchemeDescriptor;
