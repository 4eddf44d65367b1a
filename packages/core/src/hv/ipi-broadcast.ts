// How a guest writes a broadcast IPI (DESIGN §16), shared by the schemes' guestSendIpiMany:
//   x86 (guest.tlbShootdown.send):
//     - shorthand (default): native_send_call_func_ipi sees the mask is every other online CPU and, with
//       apic_use_ipi_shorthand (all present CPUs booted), calls apic->send_IPI_allbutself — x2APIC
//       __x2apic_send_IPI_shorthand / xAPIC __default_send_IPI_shortcut: ONE ICR write, destination shorthand
//       ALL-BUT-SELF (xAPIC: no ICR2). KVM's PV IPIs (kvm_setup_pv_ipi) replace only send_IPI_mask and
//       send_IPI_mask_allbutself, so a modern KVM guest still takes this path for a full broadcast;
//     - pv-send-ipi: kvm_send_ipi_mask → __send_ipi_mask: one KVM_HC_SEND_IPI hypercall (VMCALL) per 128-APIC-ID
//       window of the mask (one for any VM the model runs below 128 vCPUs per window);
//     - per-target: x2apic_send_IPI_mask → one ICR write per target (IPIv virtualizes each one).
//   ARM (GIC schemes, bare metal): one SGI register write per affinity cluster (sgiClusterEnd).
// KVM's handling of a multi-target write is the single-target handling plus one host kick (or post) per further
// target, priced as the host's own ICR/SGI write (icrSendCost on x86, ipiSendLocal on ARM).

import { BCAST_PER_TARGET, BCAST_PV_SEND_IPI } from '../model/vocabulary.ts';
import { CAUSE_IPI, ExitReasonId } from './exit-reasons.ts';
import type { SchemeHost, SchemeVcpu } from './scheme.ts';

/** Targets per affinity cluster: KVM's vCPU MPIDR has Aff0 = vcpu_id & 0xf, Aff1 = vcpu_id >> 4 (reset_mpidr). */
export const SGI_CLUSTER = 16;

/**
 * ICC_SGI1R_EL1 covers the targets of one Aff1 cluster (TargetList: 16 Aff0 bits): given targets sorted by vCPU
 * (global indices, the VM's first vCPU `first`), the end of the run that starts at k.
 */
export function sgiClusterEnd(targets: Int32Array, k: number, n: number, first: number): number {
  const cluster = Math.floor((targets[k] - first) / SGI_CLUSTER);
  let e = k + 1;
  while (e < n && Math.floor((targets[e] - first) / SGI_CLUSTER) === cluster) e++;
  return e;
}

/**
 * What sending an IPI adds to an ICR register write: icrEmulation is the whole x2APIC WRMSR handling (the
 * register-write frame, eoiMsrEmulation, plus the send); a decoded MMIO write replaces the frame (docs/costs.md).
 */
export const icrSendCost = (sim: SchemeHost): number => Math.max(0, sim.c.icrEmulation - sim.c.eoiMsrEmulation);

/** The x86 scheme operations a broadcast is made of. */
export interface X86BroadcastOps {
  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void;
  /** The exit of one ICR write with a destination shorthand that KVM emulates for n targets. */
  icrShorthandExit(sim: SchemeHost, vc: SchemeVcpu, n: number): void;
}

/** A virtualized x86 scheme's broadcast: per-target writes, one PV hypercall, or one shorthand ICR write. */
export function x86SendIpiMany(
  ops: X86BroadcastOps,
  sim: SchemeHost,
  vc: SchemeVcpu,
  targets: Int32Array,
  n: number,
  vector: number,
  raisedAt: number,
  mode: number,
): void {
  if (mode === BCAST_PER_TARGET) {
    for (let k = 0; k < n; k++) ops.guestSendIpi(sim, vc, sim.vcpus[targets[k]], vector, raisedAt);
    return;
  }
  // kvm_pv_send_ipi: the hypercall's dispatch is the null hypercall round trip (exitRoundTrip); each set bit of
  // the mask is one kvm_apic_set_irq (accept + kick or post).
  if (mode === BCAST_PV_SEND_IPI) sim.exit(vc, ExitReasonId.VMCALL, CAUSE_IPI, n * icrSendCost(sim));
  else ops.icrShorthandExit(sim, vc, n);
  const at = sim.exitHandledAt(vc);
  for (let k = 0; k < n; k++) sim.sendIpi(vc, sim.vcpus[targets[k]], vector, raisedAt, 0, at);
}
