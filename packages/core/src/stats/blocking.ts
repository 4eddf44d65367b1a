// The results' `blocking` object (DESIGN §15): the overcommit and blocking counters of one scheme, grouped as in
// sim/blocking-counters.ts, with the times in ns and the invariants they satisfy.

import type { DESCRIPTORS } from '../hv/descriptors.ts';
import { COUNTER_GROUPS } from '../model/blocking-slots.ts';
import { BLOCKING_SLOTS, blockingInvariants } from '../sim/blocking-counters.ts';

/**
 * One scheme run's overcommit and blocking counters (DESIGN §15), one object per group: the engine's (`sched`,
 * `haltPoll`, `guestPoll`), then each scheme's as its descriptor declares them (`pi`, `v4`; hv/descriptor.ts
 * CounterGroup, where each counter's meaning is). `*Cycles` counters are also given as `*Ns`.
 */
export type BlockingResult = {
  /** Host scheduler: vCPU loads (switchesIn), preemptions (slice, wake-up), blocks. */
  sched: Record<string, number>;
  /** KVM halt-polling (halt_poll_ns): halts, polls attempted / successful / failed, polled cycles, grows, shrinks. */
  haltPoll: Record<string, number>;
  /** The guest's haltpoll cpuidle driver: polls, time-outs, wakes while polling. */
  guestPoll: Record<string, number>;
} & {
  /** A scheme's counters: `pi` (posted interrupts to descheduled or halted vCPUs), `v4` (GICv4 doorbells, VPT). */
  // Read off the descriptors with `typeof`, so the public type names nothing users cannot import.
  [G in (typeof DESCRIPTORS)[number]['counters'][number]['group']]: Record<string, number>;
} & {
  /** All invariants of the blocking counters held. */
  conserved: boolean;
  /** The invariants that did not hold (empty when conserved). */
  violated: string[];
};

export function blockingResult(b: Float64Array, freqGHz: number): BlockingResult {
  const groups: Record<string, Record<string, number>> = {};
  for (const g of COUNTER_GROUPS) groups[g] = {};
  BLOCKING_SLOTS.forEach((name, i) => {
    const [group, field] = name.split('.');
    groups[group][field] = b[i];
    if (field.endsWith('Cycles')) groups[group][`${field.slice(0, -6)}Ns`] = Math.round(b[i] / freqGHz);
  });
  const violated = blockingInvariants(b)
    .filter(([, ok]) => !ok)
    .map(([n]) => n);
  return { ...groups, conserved: violated.length === 0, violated } as BlockingResult;
}
