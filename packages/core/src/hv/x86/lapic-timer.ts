// The guest's LAPIC timer under KVM (DESIGN §12; K:lapic.c, K:vmx.c). No Intel CPU virtualizes the LAPIC timer, so
// under every x86 scheme:
//   - programming it exits: WRMSR IA32_TSC_DEADLINE → EXIT:MSR_WRITE, handled on KVM's fastpath
//     (handle_fastpath_set_tscdeadline: kvm_set_lapic_tscdeadline_msr, re-enter without the full exit path); in
//     one-shot mode the TMICT write is an APIC access (xAPIC page: APIC_ACCESS, decoded; x2APIC MSR 0x838:
//     MSR_WRITE; with APIC-register virtualization a trap-like APIC_WRITE);
//   - expiry is taken by the host: while the vCPU runs, KVM has armed the VMX-preemption timer for the deadline
//     → EXIT:PREEMPTION_TIMER (handle_fastpath_preemption_timer → kvm_lapic_expired_hv_timer → inject); while it
//     is blocked, KVM has switched to an hrtimer (kvm_lapic_switch_to_sw_timer), whose callback apic_timer_fn
//     runs on the pCPU and wakes it; while it is in root mode the expiry is found before the next entry; while
//     it is preempted, the deadline is checked at its next VM entry.
// The timer interrupt itself then takes the scheme's software-interrupt path (vIRR + injection, or a post into
// the PI descriptor).

import { RUN_BLOCKED, RUN_GUEST, RUN_ROOT } from '../../model/vocabulary.ts';
import { CAUSE_GUEST_TIMER, ExitReasonId } from '../exit-reasons.ts';
import type { SchemeHost, SchemeVcpu } from '../scheme.ts';

const R = ExitReasonId;

/** Host side of a guest LAPIC-timer expiry: the exit, root work or hrtimer wake-up it costs. */
export function lapicTimerExpiry(sim: SchemeHost, vc: SchemeVcpu): void {
  const h = sim.c.timerExpiryHandling;
  const onCpu = sim.pcpuCur[vc.pcpu] === vc.index;
  if (onCpu && vc.run === RUN_GUEST) sim.exit(vc, R.PREEMPTION_TIMER, CAUSE_GUEST_TIMER, h);
  else if (onCpu && vc.run === RUN_ROOT) sim.rootWork(vc, h);
  else if (vc.run === RUN_BLOCKED) {
    // The hrtimer fires on vc's pCPU: whatever runs there takes a host interrupt; an idle pCPU runs it first.
    const idle = sim.pcpuCur[vc.pcpu] < 0;
    if (!idle) sim.hostInterruptOnPcpu(vc.pcpu, h, CAUSE_GUEST_TIMER);
    sim.wake(vc, idle ? h : 0);
  }
}

/**
 * The guest programs its LAPIC timer. `apicAccess` prices a one-shot TMICT write as the scheme's APIC accesses
 * exit; the TSC-deadline MSR always exits to KVM's fastpath.
 */
export function lapicTimerArm(
  sim: SchemeHost,
  vc: SchemeVcpu,
  apicAccess: (sim: SchemeHost, vc: SchemeVcpu) => void,
): void {
  if (sim.guest.timerOneshot[vc.index] !== 0) apicAccess(sim, vc);
  else sim.exit(vc, R.MSR_WRITE, CAUSE_GUEST_TIMER, sim.c.tscDeadlineEmulation);
}
