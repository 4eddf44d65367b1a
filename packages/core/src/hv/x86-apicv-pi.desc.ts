// x86-apicv-pi: APICv virtual-interrupt delivery + VT-d posted interrupts (and Intel IPIv as an option).

import { CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, TRANSIT_COSTS } from './common-costs.ts';
import { costFamily, type SchemeDescriptor } from './descriptor.ts';

/** The posted-interrupt and virtual-interrupt-delivery steps (semantics §B.3). */
export const APICV_PI_COSTS = costFamily('apicv-pi', {
  piNotification: 'Posted-interrupt processing in non-root (notification vector, PIR → VIRR), no exit.',
  vidDelivery: 'Virtual-interrupt delivery (VIRR → VISR, guest IDT).',
  eoiVirtualized: 'EOI virtualization (no exit).',
  piSync: 'Vmx_sync_pir_to_irr before entry.',
  piWakeupHandler: 'Host wake-up vector (0xF1) handler: walk the wakeup list.',
  piPutLoad: 'Vmx_vcpu_pi_put / vmx_vcpu_pi_load descriptor updates.',
  ipivSend: 'IPI virtualization: the CPU virtualizes the ICR write and posts into the target’s PID (no exit).',
});

export const X86_APICV_PI = {
  id: 'x86-apicv-pi',
  virtualized: true,
  arch: ['x86'],
  summary: 'APICv virtual-interrupt delivery + VT-d posted interrupts',
  reads: { x86: [TRANSIT_COSTS, CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, APICV_PI_COSTS] },
  owns: [APICV_PI_COSTS],
  exitReasons: [],
  vcpuState: { arena: ['lapic', 'eoiExit', 'pid'], private: ['snBits (8 words)', 'wakeState'] },
  options: {
    ipiv: {
      type: 'boolean',
      default: false,
      meaning:
        'Intel IPI virtualization (Sapphire Rapids+): unicast ICR writes post into the target’s PI descriptor ' +
        'through the PID-pointer table without an exit.',
    },
  },
} as const satisfies SchemeDescriptor;
