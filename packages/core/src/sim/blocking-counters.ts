// Overcommit and blocking counters (DESIGN §15): one integer slot each in Counters.blk, so shards add exactly.
// Every group comes with the invariant it satisfies at the end of a run (blockingInvariants); the results report
// the groups and whether all invariants held.

// The slots are shared with the schemes (model/blocking-slots.ts); re-exported for the engine's and the results'
// importers. A scheme's groups bring their invariants in its descriptor (hv/descriptor.ts CounterGroup).
import { B, type BlockingSlot, SCHEME_COUNTER_GROUPS } from '../model/blocking-slots.ts';

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
    // The schemes' own groups (their descriptors): sums of their counters, in descriptor order.
    ...SCHEME_COUNTER_GROUPS.flatMap((grp) =>
      grp.invariants.map((inv): [string, boolean] => {
        const sum = (names: readonly string[]) =>
          names.reduce((a, n) => a + b[B[`${grp.group}.${n}` as BlockingSlot]], 0);
        return [inv.name, inv.rel === '=' ? sum(inv.lhs) === sum(inv.rhs) : sum(inv.lhs) <= sum(inv.rhs)];
      }),
    ),
  ];
}
