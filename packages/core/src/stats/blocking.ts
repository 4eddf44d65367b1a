// The results' `blocking` object (DESIGN §15): the overcommit and blocking counters of one scheme, grouped as in
// sim/blocking-counters.ts, with the times in ns and the invariants they satisfy.

import { BLOCKING_SLOTS, blockingInvariants } from '../sim/blocking-counters.ts';

export interface BlockingResult {
  /** Counters by group (sched, haltPoll, guestPoll, pi, v4); *Cycles slots are also given as *Ns. */
  sched: Record<string, number>;
  haltPoll: Record<string, number>;
  guestPoll: Record<string, number>;
  pi: Record<string, number>;
  v4: Record<string, number>;
  /** All invariants of blockingInvariants held; `violated` names the ones that did not. */
  conserved: boolean;
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
