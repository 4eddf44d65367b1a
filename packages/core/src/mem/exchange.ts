// End-of-window exchange of one shard (DESIGN §4): publish outbound records, meet at the barrier, drain inbound
// rings, and agree on the global next-event time — delivering everything sent in the window even when a window
// sent more records than a ring holds.
//
// Protocol, run by every party with the same barrier (one call per window):
//   localMin := min(local next-event time, min time of every record this shard sent in the window)
//   spill := Σ records still in outbound spill queues
//   repeat:                                    (g = barrier.generation, the same on every party)
//     publish every outbound ring and mark fence g & 1 on it
//     arrive(localMin, spill)                  → barrier.sum = Σ spill over all shards
//     drain every inbound ring up to its fence g & 1, into the sink
//     if barrier.sum = 0: done
//     spill := Σ outbound.refill()             (move spill into ring space the consumers freed)
//
// Why it is correct:
//   - Exactly this window: a fast shard may leave the loop, simulate the next window and publish its records while
//     a slow consumer is still draining this generation; draining to the fence (not to the live tail) keeps those
//     records for the next exchange. See SpscRing for why two fence slots suffice.
//   - Complete: barrier.sum = 0 at some round means every producer had published all of its records before that
//     arrival, and the barrier orders those publications before every party's drain that follows it.
//   - FIFO: OutboundChannel keeps ring + spill one queue; refill moves the oldest spilled records first.
//   - No deadlock: nobody waits for ring space. All parties take the loop decision from the same generation's
//     barrier.sum, so they run the same number of rounds and always meet at the same barrier.
//   - Progress: a consumer drains round k completely before it arrives at round k+1, so a producer's refill after
//     round k+1 finds at most the records it pushed in the previous refill still in the ring. Two consecutive
//     refills therefore move at least one ring capacity; a spill of S records takes ≤ 2·⌈S / capacity⌉ extra rounds
//     (usually ⌈S / capacity⌉, since the consumer normally drains before the producer refills).
//   - Global min: a record in flight is an event in no queue yet, so its sender counts it in localMin; every party
//     contributes the same localMin in every round, so `globalMin` is the same whichever round ends the loop.
// If the sink throws, the caller must abort the barrier so the other parties do not wait forever.

import type { Barrier } from './barrier.ts';
import type { OutboundChannel } from './outbound.ts';
import type { RecordSink, SpscRing } from './spsc-ring.ts';

export class WindowExchange {
  /** Global minimum of every party's localMin after the last successful `run`. */
  globalMin = Number.POSITIVE_INFINITY;
  /** Barrier rounds the last `run` took (1 when nothing spilled anywhere). */
  rounds = 0;
  /** Records this shard received in the last `run`. */
  received = 0;

  constructor(
    readonly barrier: Barrier,
    readonly outs: readonly OutboundChannel[],
    readonly ins: readonly SpscRing[],
    readonly sink: RecordSink,
  ) {}

  /** Runs the protocol above. Returns false if the barrier was aborted (no state is guaranteed then). */
  run(localNext: number): boolean {
    const { barrier, outs, ins, sink } = this;
    let localMin = localNext;
    let spill = 0;
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i];
      const m = o.takeSentMin();
      if (m < localMin) localMin = m;
      spill += o.spilled;
    }
    this.rounds = 0;
    this.received = 0;
    for (;;) {
      const slot = barrier.generation & 1;
      for (let i = 0; i < outs.length; i++) outs[i].ring.fence(slot);
      if (!barrier.arrive(localMin, spill)) return false;
      this.rounds++;
      for (let i = 0; i < ins.length; i++) this.received += ins[i].drainFence(sink, slot);
      if (barrier.sum === 0) break;
      spill = 0;
      for (let i = 0; i < outs.length; i++) spill += outs[i].refill();
    }
    this.globalMin = barrier.min;
    return true;
  }
}
