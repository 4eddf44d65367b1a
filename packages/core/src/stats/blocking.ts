// The results' `blocking` object (DESIGN §15): the overcommit and blocking counters of one scheme, grouped as in
// sim/blocking-counters.ts, with the times in ns and the invariants they satisfy.

import { BLOCKING_SLOTS, blockingInvariants } from '../sim/blocking-counters.ts';

/** One scheme's overcommit and blocking counters (DESIGN §15); `*Cycles` counters are also given as `*Ns`. */
export interface BlockingResult {
  /** Host scheduler: vCPU loads (switchesIn), preemptions (slice, wake-up), blocks. */
  sched: Record<string, number>;
  /** KVM halt-polling (halt_poll_ns): halts, polls attempted / successful / failed, polled cycles, grows, shrinks. */
  haltPoll: Record<string, number>;
  /** The guest's haltpoll cpuidle driver: polls, time-outs, wakes while polling. */
  guestPoll: Record<string, number>;
  /** Posted interrupts to descheduled or halted vCPUs: SN-suppressed posts, the wake-up vector. */
  pi: Record<string, number>;
  /** GICv4 doorbells: requested around WFI, raised, and the wakes they caused. */
  v4: Record<string, number>;
  /** All invariants of the blocking counters held. */
  conserved: boolean;
  /** The invariants that did not hold (empty when conserved). */
  violated: string[];
}

export function blockingResult(b: Float64Array, freqGHz: number): BlockingResult {
  const groups: Record<string, Record<string, number>> = { sched: {}, haltPoll: {}, guestPoll: {}, pi: {}, v4: {} };
  BLOCKING_SLOTS.forEach((name, i) => {
    const [group, field] = name.split('.');
    groups[group][field] = b[i];
    if (field.endsWith('Cycles')) groups[group][`${field.slice(0, -6)}Ns`] = Math.round(b[i] / freqGHz);
  });
  const violated = blockingInvariants(b)
    .filter(([, ok]) => !ok)
    .map(([n]) => n);
  return {
    sched: groups.sched,
    haltPoll: groups.haltPoll,
    guestPoll: groups.guestPoll,
    pi: groups.pi,
    v4: groups.v4,
    conserved: violated.length === 0,
    violated,
  };
}
