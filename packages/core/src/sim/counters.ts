// Run counters of one shard (or of a whole single-threaded run). All fields are sums of integers, so per-shard
// counters add up exactly to the single-threaded values in any order.

import { NUM_CAUSES, NUM_EXIT_REASONS } from '../model/vocabulary.ts';
import { LogLinearHistogram } from '../stats/loglinear.ts';
import { NUM_BLOCKING_SLOTS } from './blocking-counters.ts';
import { NUM_KINDS } from './vcpu.ts';

export class Counters {
  events = 0;
  raised = 0;
  delivered = 0;
  coalesced = 0;
  completed = 0;
  /** Per interrupt kind (KIND_* in vcpu.ts): raised / delivered / coalesced. */
  readonly raisedByKind = new Float64Array(NUM_KINDS);
  readonly deliveredByKind = new Float64Array(NUM_KINDS);
  readonly coalescedByKind = new Float64Array(NUM_KINDS);
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
  // IPI patterns (DESIGN §16), all counted on the sender's shard except the per-kind delivery histograms.
  /** Cycles the guest spun in csd_lock_wait (guest mode, IF = 1, no useful work). */
  cycSpin = 0;
  /** Broadcasts with wait (TLB shootdowns): intents, completed (last ack seen), still waiting at the end. */
  shootdowns = 0;
  shootdownsCompleted = 0;
  shootdownsWaiting = 0;
  /** Acknowledgements received by senders, and still missing at the end (in flight, or targets not done). */
  acksReceived = 0;
  acksPending = 0;
  /** Sender wait of each completed shootdown: intent → last acknowledgement (cycles). */
  readonly shootdownWait = new LogLinearHistogram();
  /** Ages (end − intent, cycles) of the shootdowns still waiting at the end: sum and oldest. */
  shootdownWaitingAgeSum = 0;
  shootdownWaitingAgeMax = 0;
  /** Exits on the sender while it sends a broadcast, and on targets when its IPIs arrive (kicks, doorbells). */
  shootdownSendExits = 0;
  shootdownArrivalExits = 0;
  /** Delivery latency (raise → handler entry) of unicast guest IPIs and of rescheduling IPIs. */
  readonly deliveryIpi = new LogLinearHistogram();
  readonly deliveryResched = new LogLinearHistogram();
  readonly deliveryCallFunc = new LogLinearHistogram();

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
    for (let i = 0; i < NUM_KINDS; i++) {
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
    this.cycSpin += o.cycSpin;
    this.shootdowns += o.shootdowns;
    this.shootdownsCompleted += o.shootdownsCompleted;
    this.shootdownsWaiting += o.shootdownsWaiting;
    this.acksReceived += o.acksReceived;
    this.acksPending += o.acksPending;
    this.shootdownWait.add(o.shootdownWait);
    this.shootdownWaitingAgeSum += o.shootdownWaitingAgeSum;
    if (o.shootdownWaitingAgeMax > this.shootdownWaitingAgeMax) this.shootdownWaitingAgeMax = o.shootdownWaitingAgeMax;
    this.shootdownSendExits += o.shootdownSendExits;
    this.shootdownArrivalExits += o.shootdownArrivalExits;
    this.deliveryIpi.add(o.deliveryIpi);
    this.deliveryResched.add(o.deliveryResched);
    this.deliveryCallFunc.add(o.deliveryCallFunc);
  }
}
