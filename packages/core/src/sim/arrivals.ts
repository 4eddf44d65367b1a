// Device arrival processes (schema `arrival`, DESIGN §18): when the next event of a queue happens. Open-loop processes
// draw only from the queue's own stream, so they raise the same events at the same times under every scheme; a closed
// loop's arrivals are scheduled by the engine when a request has been processed (see Sim.packetDone).

import type { RngStreams } from './rng.ts';
import { ARR_CLOSED, ARR_ONOFF, ARR_PERIODIC, ARR_POISSON, ARR_TRACE, type QueueDesc } from './topology.ts';

export class Arrivals {
  /** On/off sources: end of the current on period (cycles). */
  private readonly onEnd: Float64Array;
  /** Traces: index of the next timestamp, and the offset of the current replay. */
  private readonly traceNext: Int32Array;
  private readonly traceOffset: Float64Array;

  constructor(
    private readonly queues: readonly QueueDesc[],
    private readonly rng: RngStreams,
    /** Stream of queue 0; queue q draws from streamBase + q. */
    private readonly streamBase: number,
  ) {
    const Q = queues.length;
    this.onEnd = new Float64Array(Q).fill(-1);
    this.traceNext = new Int32Array(Q);
    this.traceOffset = new Float64Array(Q);
  }

  private exp(qi: number, mean: number): number {
    return -Math.log(this.rng.uniformOpen(this.streamBase + qi)) * mean;
  }

  /** Absolute time (cycles) of queue qi's next arrival after the one at `t`, or Infinity when the source is done. */
  next(qi: number, t: number): number {
    const q = this.queues[qi];
    // Poisson, the common process, first and inline; the others out of line (keeps this small enough to inline).
    if (q.process === ARR_POISSON) return t + Math.max(1, Math.round(this.exp(qi, q.meanInterval)));
    return this.nextOther(qi, q, t);
  }

  private nextOther(qi: number, q: QueueDesc, t: number): number {
    switch (q.process) {
      case ARR_PERIODIC:
        return t + Math.max(1, Math.round(q.meanInterval));
      case ARR_ONOFF:
        return this.nextOnOff(qi, q, t);
      case ARR_TRACE:
        return this.nextTrace(qi, q);
      case ARR_CLOSED:
        return Number.POSITIVE_INFINITY; // arrivals come from completions
    }
    return Number.POSITIVE_INFINITY;
  }

  /**
   * Poisson at the on-rate inside exponential on periods, nothing in the off periods between them. The exponential
   * gap is memoryless, so a draw that runs past the end of an on period is redrawn from the start of the next one.
   */
  private nextOnOff(qi: number, q: QueueDesc, t: number): number {
    if (this.onEnd[qi] < 0) this.onEnd[qi] = Math.max(1, Math.round(this.exp(qi, q.onMean)));
    let at = t;
    for (;;) {
      const cand = at + Math.max(1, Math.round(this.exp(qi, q.meanInterval)));
      if (cand <= this.onEnd[qi]) return cand;
      const onStart = this.onEnd[qi] + Math.max(1, Math.round(this.exp(qi, q.offMean)));
      this.onEnd[qi] = onStart + Math.max(1, Math.round(this.exp(qi, q.onMean)));
      at = onStart;
    }
  }

  private nextTrace(qi: number, q: QueueDesc): number {
    const tr = q.trace as Float64Array;
    let k = this.traceNext[qi];
    if (k >= tr.length) {
      if (q.traceRepeat === 0) return Number.POSITIVE_INFINITY;
      this.traceOffset[qi] += q.traceRepeat;
      k = 0;
    }
    this.traceNext[qi] = k + 1;
    return this.traceOffset[qi] + tr[k];
  }
}
