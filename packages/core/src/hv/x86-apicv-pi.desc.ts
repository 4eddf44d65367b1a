// x86-apicv-pi: APICv virtual-interrupt delivery + VT-d posted interrupts (and Intel IPIv as an option).

import { CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, TRANSIT_COSTS } from './common-costs.ts';
import { costFamily, counterGroup, type SchemeDescriptor } from './descriptor.ts';

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

/** Posted interrupts to descheduled or halted vCPUs (results' `blocking.pi`, DESIGN §15). */
export const PI_COUNTERS = counterGroup(
  'pi',
  {
    postsToPreempted: 'Posts (IOMMU, IPIv or KVM) to a descheduled vCPU.',
    postsToHalted: 'Posts to a vCPU in kvm_vcpu_halt (halt-polling or blocked).',
    snSuppressed: 'IOMMU/IPIv posts that set a new PIR bit while SN = 1: no notification.',
    snFoundAtLoad: 'Of those, found in PIR at vmx_vcpu_pi_load (ON set again there).',
    snPendingAtEnd: 'Of those, still in PIR at the end.',
    wakeupArmed: 'pi_enable_wakeup_handler: NV := POSTED_INTR_WAKEUP_VECTOR, on the pCPU’s wake-up list.',
    wakeupVector: 'POSTED_INTR_WAKEUP_VECTOR handled for a blocked vCPU (incl. KVM’s self-IPI).',
    wakeupDisarmed: 'Reloaded before any wake-up vector (woken by something else: timer, KVM post, …).',
    wakeupArmedAtEnd: 'Still armed at the end.',
  },
  [
    {
      name: 'every SN-suppressed post is found in PIR at vcpu_load or is still pending at the end',
      lhs: ['snSuppressed'],
      rel: '=',
      rhs: ['snFoundAtLoad', 'snPendingAtEnd'],
    },
    {
      name: 'every SN-suppressed post went to a descheduled vCPU',
      lhs: ['snSuppressed'],
      rel: '<=',
      rhs: ['postsToPreempted'],
    },
    {
      name: 'every armed wake-up vector fired, was disarmed by a reload, or is still armed at the end',
      lhs: ['wakeupArmed'],
      rel: '=',
      rhs: ['wakeupVector', 'wakeupDisarmed', 'wakeupArmedAtEnd'],
    },
  ],
);

export const X86_APICV_PI = {
  id: 'x86-apicv-pi',
  virtualized: true,
  arch: ['x86'],
  summary: 'APICv virtual-interrupt delivery + VT-d posted interrupts',
  reads: { x86: [TRANSIT_COSTS, CPU_COSTS, KVM_COSTS, KVM_X86_COSTS, APICV_PI_COSTS] },
  owns: [APICV_PI_COSTS],
  exitReasons: [],
  counters: [PI_COUNTERS],
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
