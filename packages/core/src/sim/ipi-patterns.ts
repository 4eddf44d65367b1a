// IPI patterns (DESIGN §16): the guest's rescheduling IPIs and its broadcasts with wait (TLB shootdowns), and the
// acknowledgement protocol of the latter, as Linux runs it:
//   - resched: smp_send_reschedule(cpu) → RESCHEDULE_VECTOR / IPI_RESCHEDULE to one other vCPU; open loop like
//     the guest's generic IPI source (same intents, targets and times under every scheme);
//   - shootdown: flush_tlb_mm_range → flush_tlb_multi → smp_call_function_many_cond(mask = every other vCPU of the
//     VM, wait = true): a csd is queued on each target (llist_add to its call_single_queue), the IPIs are sent
//     (how: each scheme's guestSendIpiMany), then the sender spins in csd_lock_wait — guest mode, IF = 1, so it
//     still takes interrupts and can be preempted — until every target's handler (flush_tlb_func) has run and
//     cleared its csd's lock flag (csd_unlock). Each clear reaches the sender csdAckLatency later (a cache-line
//     transfer) as an EV_CSD_ACK event through Sim.sendToVcpu, which crosses shards like an IPI.
// A target's handler takes every csd queued before it started (flush_smp_call_function_queue: llist_del_all at
// entry) and acknowledges them at its end; a csd that arrives while the handler runs set the vector pending again
// and is taken by the next handler. State here is plain typed arrays indexed by vCPU; each entry is only touched
// by the shard that owns that vCPU.

import { BCAST_PER_TARGET, BCAST_PV_SEND_IPI, BCAST_SHORTHAND } from '../model/vocabulary.ts';
import type { CostTable } from '../scenario/costs.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Counters } from './counters.ts';
import type { Topology } from './topology.ts';
import type { Vcpu } from './vcpu.ts';

// The broadcast write modes are shared vocabulary (model/vocabulary.ts): the schemes read them too.
export { BCAST_PER_TARGET, BCAST_PV_SEND_IPI, BCAST_SHORTHAND } from '../model/vocabulary.ts';

const BCAST_OF = { shorthand: BCAST_SHORTHAND, 'pv-send-ipi': BCAST_PV_SEND_IPI, 'per-target': BCAST_PER_TARGET };

/** The smallest latency of any event that can cross shards (IPI transit, csd acknowledgement): the lookahead. */
export function crossShardLookahead(c: CostTable): number {
  return Math.max(1, Math.min(c.ipiLatency, c.csdAckLatency));
}

/** The acknowledgement's latency as the engine schedules it (≥ 1 cycle, ≥ the lookahead). */
export const csdAckDelay = (c: CostTable): number => Math.max(1, c.csdAckLatency);

/** A target's queue of csds (the senders' global vCPU indices), FIFO, growable; `taken` = held by the handler. */
class CsdQueue {
  private q = new Int32Array(4);
  private head = 0;
  length = 0;
  taken = 0;

  push(sender: number): void {
    if (this.length === this.q.length) {
      const n = this.q.length;
      const g = new Int32Array(2 * n);
      for (let k = 0; k < this.length; k++) g[k] = this.q[(this.head + k) % n];
      this.q = g;
      this.head = 0;
    }
    this.q[(this.head + this.length) % this.q.length] = sender;
    this.length++;
  }

  shift(): number {
    const s = this.q[this.head];
    this.head = (this.head + 1) % this.q.length;
    this.length--;
    return s;
  }
}

export class IpiPatterns {
  /** Mean interval between intents (cycles; 0 = no source) and the vector, per vCPU. */
  readonly reschedMean: Float64Array;
  readonly reschedVector: Int32Array;
  readonly shootMean: Float64Array;
  readonly callFuncVector: Int32Array;
  /** Broadcast write mode of each vCPU's guest (BCAST_*). */
  readonly bcastMode: Uint8Array;
  /** RNG stream of each vCPU's resched source (interval + target) and shootdown source (interval). */
  readonly reschedStream: Int32Array;
  readonly shootStream: Int32Array;
  /** Sender side: intent time of the shootdown it waits for, and acknowledgements still missing. */
  readonly waitSince: Float64Array;
  readonly acksLeft: Int32Array;
  /** Target side: csds queued on it (created for vCPUs of VMs with a shootdown source). */
  private readonly csd: (CsdQueue | null)[];
  /** Reused list of a broadcast's targets (global vCPU indices); no allocation per broadcast. */
  readonly targets: Int32Array;
  readonly any: boolean;

  constructor(s: Scenario, topo: Topology, streamBase: number) {
    const V = topo.vcpus.length;
    const f = topo.freqGHz;
    this.reschedMean = new Float64Array(V);
    this.reschedVector = new Int32Array(V).fill(-1);
    this.shootMean = new Float64Array(V);
    this.callFuncVector = new Int32Array(V).fill(-1);
    this.bcastMode = new Uint8Array(V);
    this.reschedStream = new Int32Array(V);
    this.shootStream = new Int32Array(V);
    this.waitSince = new Float64Array(V);
    this.acksLeft = new Int32Array(V);
    this.csd = new Array(V).fill(null);
    let maxVm = 1;
    let any = false;
    topo.vcpus.forEach((d, i) => {
      const vm = topo.vms[d.vmInstance];
      if (vm.vcpus > maxVm) maxVm = vm.vcpus;
      const g = s.vms[d.vmSpec].guest;
      this.reschedStream[i] = streamBase + i;
      this.shootStream[i] = streamBase + V + i;
      if (vm.vcpus < 2) return; // nobody to send to (as the generic IPI source)
      if (g.resched && g.resched.rate > 0) {
        this.reschedMean[i] = (f * 1e9) / g.resched.rate;
        this.reschedVector[i] = g.resched.vector;
        any = true;
      }
      if (g.tlbShootdown) {
        this.callFuncVector[i] = g.tlbShootdown.vector;
        this.csd[i] = new CsdQueue();
        this.bcastMode[i] = BCAST_OF[g.tlbShootdown.send ?? 'shorthand'];
        if (g.tlbShootdown.rate > 0) {
          this.shootMean[i] = (f * 1e9) / g.tlbShootdown.rate;
          any = true;
        }
      }
    });
    this.targets = new Int32Array(maxVm);
    this.any = any;
  }

  /** Streams this module appends to the run's RNG (2 per vCPU). */
  static streams(V: number): number {
    return 2 * V;
  }

  /** Fills `targets` with every other vCPU of vc's VM; returns how many. */
  othersOf(vc: Vcpu, firstVcpu: number, vcpus: number): number {
    let n = 0;
    for (let j = 0; j < vcpus; j++) if (j !== vc.vmVcpu) this.targets[n++] = firstVcpu + j;
    return n;
  }

  // ---- target side ----------------------------------------------------------------------------------------

  /** A call-function IPI from `sender` reached vc: its csd is on vc's queue (llist_add before the IPI). */
  csdQueued(vc: Vcpu, sender: number): void {
    this.csd[vc.index]?.push(sender);
  }

  /** The call-function handler starts: it takes every csd queued so far (llist_del_all). */
  handlerStart(vc: Vcpu): void {
    const q = this.csd[vc.index];
    if (q !== null) q.taken = q.length;
  }

  /**
   * The call-function handler's body ended: csd_unlock of each csd it took. Calls ack(sender) for each, in queue
   * order (the engine schedules the acknowledgements).
   */
  handlerEnd(vc: Vcpu, ack: (sender: number) => void): void {
    const q = this.csd[vc.index];
    if (q === null) return;
    for (let k = q.taken; k > 0; k--) ack(q.shift());
    q.taken = 0;
  }

  // ---- sender side ----------------------------------------------------------------------------------------

  /** The broadcast of intent `at` to n targets has been sent: csd_lock_wait begins. */
  beginWait(vc: Vcpu, at: number, n: number): void {
    this.waitSince[vc.index] = at;
    this.acksLeft[vc.index] = n;
    vc.csdWait = true;
  }

  /** One acknowledgement reached the sender. Returns true when it was the last (the wait ends now). */
  acked(vc: Vcpu, now: number, cnt: Counters): boolean {
    const i = vc.index;
    if (this.acksLeft[i] <= 0) throw new Error(`internal: csd acknowledgement for vCPU ${i} with none outstanding`);
    cnt.acksReceived++;
    if (--this.acksLeft[i] > 0) return false;
    cnt.shootdownsCompleted++;
    cnt.shootdownWait.record(now - this.waitSince[i]);
    return true;
  }

  /** End of run: a shootdown still in csd_lock_wait (its missing acks), counted with its age. */
  finishSender(vc: Vcpu, end: number, cnt: Counters): void {
    if (!vc.csdWait) return;
    this.waiting(end - this.waitSince[vc.index], this.acksLeft[vc.index], cnt);
  }

  /** A shootdown still waiting at the end (spinning, or deferred before its send), age and acks missing. */
  waiting(age: number, acksMissing: number, cnt: Counters): void {
    cnt.shootdownsWaiting++;
    cnt.acksPending += acksMissing;
    cnt.shootdownWaitingAgeSum += age;
    if (age > cnt.shootdownWaitingAgeMax) cnt.shootdownWaitingAgeMax = age;
  }
}
