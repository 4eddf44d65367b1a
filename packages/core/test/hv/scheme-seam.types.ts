// The scheme seam at compile time (DESIGN §19.5): no scheme writes engine state. This file is compiled by
// tsconfig.test.json (`tsc -p tsconfig.test.json`, part of `pnpm test`) and never run. Each `@ts-expect-error`
// marks a write a scheme must not be able to make; if the field became writable again, the directive would be
// unused and the compile fails. The second function is what a scheme must still be able to do.

import type { SchemeHost, SchemeVcpu } from '../../src/hv/scheme.ts';
import { B } from '../../src/model/blocking-slots.ts';
import { PH_WORK, RUN_GUEST } from '../../src/model/vocabulary.ts';

export function engineStateIsReadOnly(sim: SchemeHost, vc: SchemeVcpu): void {
  // @ts-expect-error the run state is the engine's (leaveHaltOnPcpu, haltPcpu)
  vc.run = RUN_GUEST;
  // @ts-expect-error the guest phase is the engine's (haltNotTaken, leaveNativeWfi)
  vc.phase = PH_WORK;
  // @ts-expect-error the guest segment is the engine's (stall, leaveHaltOnPcpu)
  vc.segStart = sim.now;
  // @ts-expect-error the entry injection is set through injectAtEntry
  vc.inject = 0x20;
  // @ts-expect-error a halt exit is taken through haltExit
  vc.haltExit = true;
  // @ts-expect-error root-mode state
  vc.rootEnd += 1;
  // @ts-expect-error handler state
  vc.handlerLeft = 0;
  // @ts-expect-error per-vCPU accounting
  vc.cycHw += 1;
  // @ts-expect-error the host scheduler places vCPUs
  vc.pcpu = 0;
  // @ts-expect-error guest program state
  vc.irqsOff = false;
  // @ts-expect-error the engine's counters are not part of the host (countBlocking, countHwCycles)
  sim.cnt.blk[B['pi.wakeupVector']]++;
  // @ts-expect-error the clock
  sim.now = 0;
  // @ts-expect-error the run's resolved costs
  sim.c.haltWake = 0;
  // @ts-expect-error the trace hook
  sim.trace = null;
  // @ts-expect-error the vCPU table
  sim.vcpus[0] = vc;
  // @ts-expect-error a vCPU reached through the table is a SchemeVcpu too
  sim.vcpus[0].run = RUN_GUEST;
  // @ts-expect-error the current vCPU of each pCPU
  sim.pcpuCur[0] = -1;
}

export function schemeStateIsWritable(sim: SchemeHost, vc: SchemeVcpu): void {
  // Architectural state: the LAPIC page, the PI descriptor and the scheme's arena views; the pending ledger.
  vc.lapic.IRR[1] |= 1;
  vc.pid[0] = 0;
  vc.scratch[0] = 0;
  vc.ledger.accept(0x20, sim.now, 0);
  // Engine state changes through the named host effects, which take the scheme's view of the vCPU.
  sim.injectAtEntry(vc, 0x20, sim.now, 0);
  sim.countBlocking(B['pi.wakeupVector']);
  sim.stall(vc, 1);
}
