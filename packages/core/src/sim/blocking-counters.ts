// Overcommit and blocking counters (DESIGN §15): one integer slot each in Counters.blk, so shards add exactly.
// Every group comes with the invariant it satisfies at the end of a run (blockingInvariants); the results report
// the groups and whether all invariants held.

// The slots are shared with the schemes (model/blocking-slots.ts); re-exported for the engine's and the results'
// importers.
import { B, type BlockingSlot } from '../model/blocking-slots.ts';

export { B, BLOCKING_SLOTS, type BlockingSlot, NUM_BLOCKING_SLOTS } from '../model/blocking-slots.ts';

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
