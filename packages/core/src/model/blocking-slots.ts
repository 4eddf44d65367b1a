// The overcommit and blocking counter slots (DESIGN §15): one integer slot each in the engine's Counters.blk. The
// names are shared vocabulary: the engine counts the host-scheduler, halt-polling and guest-haltpoll slots, the
// schemes count theirs (posted interrupts, GICv4) through the host's countBlocking (hv/scheme.ts), so both sides
// import the slot indices from here (DESIGN §19.1). sim/blocking-counters.ts holds the invariants.

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
