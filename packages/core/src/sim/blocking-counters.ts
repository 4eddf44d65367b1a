// Overcommit and blocking counters (DESIGN §15): one integer slot each in Counters.blk, so shards add exactly.
// Every group comes with the invariant it satisfies at the end of a run (blockingInvariants); the results report
// the groups and whether all invariants held.

/** Slot names, in slot order. Results group them by the prefix before the dot. */
export const BLOCKING_SLOTS = [
  // host scheduler (sim/host-sched.ts)
  'sched.switchesIn', // a vCPU thread was scheduled onto its pCPU (vcpu_load after a block or a preemption)
  'sched.loadedAtStart', // pCPUs whose first vCPU started loaded at t = 0
  'sched.preemptions', // switched out while runnable: slice / tick preemption
  'sched.wakeupPreemptions', // switched out while runnable because a woken vCPU preempted it (check_preempt_wakeup)
  'sched.blocks', // switched out because it blocked (HLT/WFI with nothing pending, after any halt-poll)
  'sched.loadedAtEnd', // vCPUs on their pCPU at the end (running, in root mode, or halt-polling)
  // KVM halt-polling (sim/halt-poll.ts; kvm_vcpu_halt)
  'haltPoll.halts', // kvm_vcpu_halt calls: HLT/WFI exits that found no wake event
  'haltPoll.attempted', // halts with do_halt_poll (halt_poll_ns > 0 and polling allowed): halt_attempted_poll
  'haltPoll.successful', // woken while polling, never scheduled out: halt_successful_poll
  'haltPoll.failed', // polled, then blocked (time-out or another task became runnable)
  'haltPoll.pollingAtEnd', // still polling when the run ended
  'haltPoll.haltedAtEnd', // in kvm_vcpu_halt (polling or blocked) when the run ended
  'haltPoll.ended', // kvm_vcpu_halt returned (the vCPU runs again)
  'haltPoll.polledCycles', // pCPU cycles spent polling (successful and failed), not available to other vCPUs
  'haltPoll.successCycles', // of which in polls that succeeded (halt_poll_success_ns)
  'haltPoll.grows', // grow_halt_poll_ns calls
  'haltPoll.shrinks', // shrink_halt_poll_ns calls
  // guest haltpoll (sim/guest-haltpoll.ts; cpuidle-haltpoll governor)
  'guestPoll.polls', // the governor selected the poll state
  'guestPoll.timedOut', // the poll reached poll_limit_ns: the guest then executes HLT/WFI
  'guestPoll.woken', // the idle period ended during the poll (need_resched): no HLT, no exit
  'guestPoll.pollingAtEnd',
  'guestPoll.polledCycles', // guest cycles spent in poll_idle (in guest mode, not guest work)
  'guestPoll.interruptsWhilePolling', // interrupts whose handler started while the guest polled (no HLT exit)
  // posted interrupts (x86-apicv-pi, hv/x86-apicv-pi.ts)
  'pi.postsToPreempted', // posts (IOMMU, IPIv or KVM) to a descheduled vCPU
  'pi.postsToHalted', // posts to a vCPU in kvm_vcpu_halt (halt-polling or blocked)
  'pi.snSuppressed', // IOMMU/IPIv posts that set a new PIR bit while SN = 1: no notification
  'pi.snFoundAtLoad', // of those, found in PIR at vmx_vcpu_pi_load (ON set again there)
  'pi.snPendingAtEnd', // of those, still in PIR at the end
  'pi.wakeupArmed', // pi_enable_wakeup_handler: NV := POSTED_INTR_WAKEUP_VECTOR, on the pCPU's wake-up list
  'pi.wakeupVector', // POSTED_INTR_WAKEUP_VECTOR handled for a blocked vCPU (incl. KVM's self-IPI)
  'pi.wakeupDisarmed', // reloaded before any wake-up vector (woken by something else: timer, KVM post, …)
  'pi.wakeupArmedAtEnd',
  // GICv4 (arm-gicv4, hv/arm/gicv4-direct.ts)
  'v4.doorbellRequests', // vgic_v4_put(need_db): the vPE made non-resident with a doorbell around WFI
  'v4.doorbells', // doorbells raised (GICv4.0 per vLPI, GICv4.1 per vPE)
  'v4.doorbellWakes', // of those, the vCPU was halted (polling or blocked) and is woken
  'v4.doorbellRunnable', // of those, the vCPU was already runnable (between the WFI trap's put and its block decision)
  'v4.vptLatched', // new vLPIs/vSGIs that went to the VPT of a non-resident vPE (no doorbell)
  'v4.vptFoundAtLoad', // of those, found in the VPT when the vPE was made resident again
  'v4.vptPendingAtEnd', // of those, still in the VPT at the end
] as const;

export type BlockingSlot = (typeof BLOCKING_SLOTS)[number];
export const NUM_BLOCKING_SLOTS = BLOCKING_SLOTS.length;
/** Slot index by name: B['pi.snSuppressed']. */
export const B = Object.fromEntries(BLOCKING_SLOTS.map((n, i) => [n, i])) as Record<BlockingSlot, number>;

/** The invariants the counters satisfy at the end of a run; each entry is [name, holds]. */
export function blockingInvariants(b: Float64Array): [string, boolean][] {
  const g = (n: BlockingSlot) => b[B[n]];
  return [
    [
      'every vCPU load is matched by a switch-out or is still loaded at the end',
      g('sched.switchesIn') + g('sched.loadedAtStart') ===
        g('sched.preemptions') + g('sched.wakeupPreemptions') + g('sched.blocks') + g('sched.loadedAtEnd'),
    ],
    [
      'every halt ended or is still in progress at the end',
      g('haltPoll.halts') === g('haltPoll.ended') + g('haltPoll.haltedAtEnd'),
    ],
    [
      'every halt-poll succeeded, failed or is still polling at the end',
      g('haltPoll.attempted') === g('haltPoll.successful') + g('haltPoll.failed') + g('haltPoll.pollingAtEnd'),
    ],
    [
      'every halt blocks unless its poll succeeds (or the halt is still polling at the end)',
      g('haltPoll.halts') === g('haltPoll.successful') + g('sched.blocks') + g('haltPoll.pollingAtEnd'),
    ],
    ['successful polls are part of all polled cycles', g('haltPoll.successCycles') <= g('haltPoll.polledCycles')],
    [
      'every guest poll timed out, was woken, or is still polling at the end',
      g('guestPoll.polls') === g('guestPoll.timedOut') + g('guestPoll.woken') + g('guestPoll.pollingAtEnd'),
    ],
    [
      'every SN-suppressed post is found in PIR at vcpu_load or is still pending at the end',
      g('pi.snSuppressed') === g('pi.snFoundAtLoad') + g('pi.snPendingAtEnd'),
    ],
    ['every SN-suppressed post went to a descheduled vCPU', g('pi.snSuppressed') <= g('pi.postsToPreempted')],
    [
      'every armed wake-up vector fired, was disarmed by a reload, or is still armed at the end',
      g('pi.wakeupArmed') === g('pi.wakeupVector') + g('pi.wakeupDisarmed') + g('pi.wakeupArmedAtEnd'),
    ],
    [
      'every doorbell wakes a halted vCPU or finds it already runnable',
      g('v4.doorbells') === g('v4.doorbellWakes') + g('v4.doorbellRunnable'),
    ],
    ['at most one doorbell per doorbell-requesting deschedule', g('v4.doorbells') <= g('v4.doorbellRequests')],
    [
      'every vLPI latched in a non-resident VPT is found at the next residency or is still pending at the end',
      g('v4.vptLatched') === g('v4.vptFoundAtLoad') + g('v4.vptPendingAtEnd'),
    ],
  ];
}
