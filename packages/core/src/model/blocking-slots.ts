// The overcommit and blocking counter slots (DESIGN §15): one integer slot each in the engine's Counters.blk. The
// names are shared vocabulary: the engine counts the host-scheduler, halt-polling and guest-haltpoll slots listed
// here; a scheme declares its own groups in its descriptor (posted interrupts in x86-apicv-pi's, GICv4 in
// arm-gicv4's; hv/descriptor.ts CounterGroup) and counts them through the host's countBlocking (hv/scheme.ts). Both
// sides import the slot indices from here (DESIGN §19.1). Like the exit reasons (model/vocabulary.ts), the one
// import is the descriptor list, data only. sim/blocking-counters.ts holds the invariants.

import { SCHEME_COUNTER_SLOTS, type SchemeCounterSlot } from '../hv/descriptors.ts';

/** The schemes' counter groups (with their meanings and invariants), for sim/blocking-counters.ts and the results. */
export { SCHEME_COUNTER_GROUPS } from '../hv/descriptors.ts';

/** The engine's slot names, in slot order. */
const ENGINE_SLOTS = [
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
] as const;

/**
 * Slot names, in slot order: the engine's, then each scheme's groups in descriptor order. Results group them by the
 * prefix before the dot.
 */
export const BLOCKING_SLOTS: readonly BlockingSlot[] = [...ENGINE_SLOTS, ...SCHEME_COUNTER_SLOTS];

const groupsOf = (slots: readonly string[]): readonly string[] => [...new Set(slots.map((n) => n.split('.')[0]))];
/** The engine's own counter groups (results' `blocking.sched`, `.haltPoll`, `.guestPoll`), in result order. */
export const ENGINE_COUNTER_GROUPS = groupsOf(ENGINE_SLOTS);
/** Every counter group, in slot order: the engine's, then the schemes' (the results' `blocking` keys). */
export const COUNTER_GROUPS = groupsOf(BLOCKING_SLOTS);

export type BlockingSlot = (typeof ENGINE_SLOTS)[number] | SchemeCounterSlot;
export const NUM_BLOCKING_SLOTS = BLOCKING_SLOTS.length;
/** Slot index by name: B['pi.snSuppressed']. */
export const B = Object.fromEntries(BLOCKING_SLOTS.map((n, i) => [n, i])) as Record<BlockingSlot, number>;
