// Wall-clock bounds for liveness checks — "stops within 1 s", "refused within seconds", never "is fast" (speed is
// measured by benchmarks, DESIGN §6.5). The machines tests run on are shared: at a load of 9 per core a child
// process that needs 0.3 s of CPU takes seconds of wall time, so a fixed bound fails for reasons that are not the
// code's. The bound is the idle-machine figure stretched by the 1-minute load average per core (never shrunk): it
// still fails on a hang or a run that goes to completion, and does not fail because a neighbour is busy.

import { availableParallelism, loadavg } from 'node:os';

/** `idleMs` on an idle machine, × the 1-minute load average per core when that is above 1. */
export function livenessBound(idleMs: number): number {
  return idleMs * Math.max(1, loadavg()[0] / availableParallelism());
}
