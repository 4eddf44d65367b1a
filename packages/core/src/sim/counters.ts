// Run counters of one shard (or of a whole single-threaded run). All fields are sums of integers, so per-shard
// counters add up exactly to the single-threaded values in any order.

import { NUM_CAUSES, NUM_EXIT_REASONS } from '../hv/exit-reasons.ts';
import { LogLinearHistogram } from '../stats/loglinear.ts';
import { NUM_BLOCKING_SLOTS } from './blocking-counters.ts';

export class Counters {
  events = 0;
  raised = 0;
  delivered = 0;
  coalesced = 0;
  completed = 0;
  /** Per interrupt kind (KIND_* in vcpu.ts): raised / delivered / coalesced. */
  readonly raisedByKind = new Float64Array(4);
  readonly deliveredByKind = new Float64Array(4);
  readonly coalescedByKind = new Float64Array(4);
  readonly exits = new Float64Array(NUM_EXIT_REASONS);
  readonly exitCycles = new Float64Array(NUM_EXIT_REASONS);
  readonly exitsByCause = new Float64Array(NUM_CAUSES);
  /** Device interrupts delivered that had arrived while the target ran in guest mode, and the exits they caused. */
  deviceDeliveredRunning = 0;
  deviceExitsRunning = 0;
  cycWork = 0;
  cycHandler = 0;
  cycHw = 0;
  cycHalted = 0;
  /** Guest softirq (NAPI poll) cycles. */
  cycSoftirq = 0;
  /** NIC receive path (DESIGN §18): packets arrived, processed, dropped (ring full), in a ring at the end. */
  pktArrived = 0;
  pktProcessed = 0;
  pktDropped = 0;
  pktInRing = 0;
  /** NAPI polls completed (budget used or ring emptied) and interrupts the NAPI queues raised. */
  napiPolls = 0;
  napiIrqs = 0;
  /** Closed-loop requests processed (responses sent), and the guest's process-context cycles spent on them. */
  requestsDone = 0;
  cycApp = 0;
  /** Requests still in the guest at the end (in a ring or at the application). */
  requestsInGuest = 0;
  /** Closed-loop request latency: arrival in the RX ring → response (cycles). */
  readonly requestLatency = new LogLinearHistogram();
  /** Packet latency: arrival in the RX ring → processed by the NAPI poll (cycles). */
  readonly packetLatency = new LogLinearHistogram();
  /** Ages of the packets still in a ring at the end (censored latencies). */
  readonly packetAgeAtEnd = new LogLinearHistogram();
  readonly delivery = new LogLinearHistogram();
  readonly completion = new LogLinearHistogram();
  /**
   * Interrupts still pending at the end of the run, by age (end − raise time, cycles): the ones in the schemes'
   * structures and the IPIs still deferred at their sender or in flight. Censored latencies: each is a lower
   * bound of a delivery latency that the run did not see complete.
   */
  readonly pendingAge = new LogLinearHistogram();
  /** Pending IPIs that sit outside every scheme structure (deferred at the sender or in flight at the end). */
  pendingOutside = 0;
  /** Overcommit and blocking counters, one slot per BLOCKING_SLOTS name (DESIGN §15). */
  readonly blk = new Float64Array(NUM_BLOCKING_SLOTS);

  /** An interrupt pending at the end of the run, raised `age` cycles before it (outside the scheme's state). */
  notePendingAtEnd(age: number): void {
    this.pendingAge.record(age);
    this.pendingOutside++;
  }

  add(o: Counters): void {
    this.events += o.events;
    this.raised += o.raised;
    this.delivered += o.delivered;
    this.coalesced += o.coalesced;
    this.completed += o.completed;
    for (let i = 0; i < 4; i++) {
      this.raisedByKind[i] += o.raisedByKind[i];
      this.deliveredByKind[i] += o.deliveredByKind[i];
      this.coalescedByKind[i] += o.coalescedByKind[i];
    }
    for (let i = 0; i < NUM_EXIT_REASONS; i++) {
      this.exits[i] += o.exits[i];
      this.exitCycles[i] += o.exitCycles[i];
    }
    for (let i = 0; i < NUM_CAUSES; i++) this.exitsByCause[i] += o.exitsByCause[i];
    this.deviceDeliveredRunning += o.deviceDeliveredRunning;
    this.deviceExitsRunning += o.deviceExitsRunning;
    this.cycWork += o.cycWork;
    this.cycHandler += o.cycHandler;
    this.cycHw += o.cycHw;
    this.cycHalted += o.cycHalted;
    this.cycSoftirq += o.cycSoftirq;
    this.pktArrived += o.pktArrived;
    this.pktProcessed += o.pktProcessed;
    this.pktDropped += o.pktDropped;
    this.pktInRing += o.pktInRing;
    this.napiPolls += o.napiPolls;
    this.napiIrqs += o.napiIrqs;
    this.requestsDone += o.requestsDone;
    this.cycApp += o.cycApp;
    this.requestsInGuest += o.requestsInGuest;
    this.requestLatency.add(o.requestLatency);
    this.packetLatency.add(o.packetLatency);
    this.packetAgeAtEnd.add(o.packetAgeAtEnd);
    this.delivery.add(o.delivery);
    this.completion.add(o.completion);
    this.pendingAge.add(o.pendingAge);
    this.pendingOutside += o.pendingOutside;
    for (let i = 0; i < NUM_BLOCKING_SLOTS; i++) this.blk[i] += o.blk[i];
  }
}
