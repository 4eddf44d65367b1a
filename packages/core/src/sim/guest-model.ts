// The guest kernel's behaviour around interrupts, per vCPU, resolved once from the scenario (guest.* fields with
// their per-arch defaults): where the handler signals EOI, which APIC accesses a handler and the idle loop make,
// how the LAPIC timer is programmed, and the guest's interrupts-off sections. The engine runs this program; the
// scheme decides what each access costs (an exit, a virtualized access, or a native one).

import { eoiAtStart } from '../scenario/defaults.ts';
import type { Scenario } from '../scenario/schema.ts';
import { makeSampler, type Sampler } from './distributions.ts';
import type { Topology } from './topology.ts';
import { distToCycles } from './topology.ts';

export class GuestModel {
  /** 1: EOI at handler start (x86 Linux default); 0: after the handler body (ARM Linux default). */
  readonly eoiAtStart: Uint8Array;
  /** CR8/TPR accesses per interrupt (trap only without a TPR shadow). */
  readonly tprAccesses: Int32Array;
  /** APIC register reads per interrupt in the handler path. */
  readonly apicReads: Int32Array;
  /** ICR reads before an xAPIC IPI. */
  readonly icrReads: Int32Array;
  /** LAPIC timer programmings per timer interrupt and per entry into idle. */
  readonly timerArmsPerTimerIrq: Int32Array;
  readonly timerArmsPerIdle: Int32Array;
  /** 1: the LAPIC timer is programmed in one-shot mode (TMICT write) instead of TSC-deadline (WRMSR). */
  readonly timerOneshot: Uint8Array;
  /** Mean cycles between the starts of interrupts-off sections in guest work (0 = none), and their lengths. */
  readonly irqsOffMean: Float64Array;
  readonly irqsOffLen: Sampler[];

  /** `noTscDeadline`: the scheme's virtual LAPIC has no TSC-deadline mode (QEMU's userspace LAPIC, SchemeBinding). */
  constructor(s: Scenario, topo: Topology, noTscDeadline: boolean) {
    const V = topo.vcpus.length;
    const f = topo.freqGHz;
    this.eoiAtStart = new Uint8Array(V);
    this.tprAccesses = new Int32Array(V);
    this.apicReads = new Int32Array(V);
    this.icrReads = new Int32Array(V);
    this.timerArmsPerTimerIrq = new Int32Array(V);
    this.timerArmsPerIdle = new Int32Array(V);
    this.timerOneshot = new Uint8Array(V);
    this.irqsOffMean = new Float64Array(V);
    this.irqsOffLen = new Array(V);
    const none: Sampler = () => 0;
    topo.vcpus.forEach((d, i) => {
      const g = s.vms[d.vmSpec].guest;
      this.eoiAtStart[i] = eoiAtStart(s, g) ? 1 : 0;
      this.tprAccesses[i] = g.tprAccessesPerInterrupt;
      this.apicReads[i] = g.apic.readsPerInterrupt;
      this.icrReads[i] = g.apic.icrReadsPerIpi;
      this.timerArmsPerTimerIrq[i] = s.arch === 'x86' ? g.apic.timerArmsPerTimerInterrupt : 0;
      this.timerArmsPerIdle[i] = s.arch === 'x86' && g.idle ? g.apic.timerArmsPerIdle : 0;
      this.timerOneshot[i] = g.apic.timer === 'oneshot' || (g.apic.timer === 'auto' && noTscDeadline) ? 1 : 0;
      this.irqsOffMean[i] = g.irqsOff ? (f * 1e9) / g.irqsOff.rate : 0;
      this.irqsOffLen[i] = g.irqsOff ? makeSampler(distToCycles(g.irqsOff.length, f)) : none;
    });
  }
}
