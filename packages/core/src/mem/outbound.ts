// Producer end of one cross-shard link: an SpscRing plus a private, growable spill queue, so that `send()` never
// drops a record and never blocks. Blocking would deadlock: inside a window the consumer is busy simulating and
// only drains at the barrier, so a producer waiting for ring space would wait for a thread that waits for it.
//
// FIFO across ring + spill: once one record has spilled, every later record spills too until the spill queue is
// empty again, and `refill()` moves spilled records into the ring oldest first. The consumer therefore sees one
// stream in send order. How the spill reaches the consumer at a barrier is in exchange.ts.
//
// The channel also tracks the smallest time (word 0 of each record) sent since the last `takeSentMin()`: a record
// in flight is an event nobody's queue holds yet, so the sender must include it in the barrier's min-reduction or
// the next window could start past it.

import type { SpscRing } from './spsc-ring.ts';

const INITIAL_SPILL_RECORDS = 64;

export class OutboundChannel {
  readonly ring: SpscRing;
  readonly recordWords: number;
  /** Records ever sent through `spill` (diagnostics: how often the ring was too small for a window). */
  spilledTotal = 0;
  private spillBuf: Float64Array;
  // Spill queue = records [spillStart, spillEnd) of spillBuf (in record units).
  private spillStart = 0;
  private spillEnd = 0;
  private sentMin = Number.POSITIVE_INFINITY;

  constructor(ring: SpscRing) {
    this.ring = ring;
    this.recordWords = ring.recordWords;
    this.spillBuf = new Float64Array(INITIAL_SPILL_RECORDS * ring.recordWords);
  }

  /** Records waiting in the spill queue (not yet in the ring). */
  get spilled(): number {
    return this.spillEnd - this.spillStart;
  }

  /** Sends one record of up to 6 words (see SpscRing.tryPush). Never fails; not visible until `flush()`. */
  send(w0: number, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0): void {
    if (w0 < this.sentMin) this.sentMin = w0;
    if (this.spillEnd === this.spillStart && this.ring.tryPush(w0, w1, w2, w3, w4, w5)) return;
    const o = this.spillSlot();
    const b = this.spillBuf;
    const n = this.recordWords;
    b[o] = w0;
    if (n > 1) b[o + 1] = w1;
    if (n > 2) b[o + 2] = w2;
    if (n > 3) b[o + 3] = w3;
    if (n > 4) b[o + 4] = w4;
    if (n > 5) b[o + 5] = w5;
  }

  /** Sends a copy of `src[srcOffset … srcOffset + recordWords - 1]`. Never fails. */
  sendFrom(src: Float64Array, srcOffset: number): void {
    if (src[srcOffset] < this.sentMin) this.sentMin = src[srcOffset];
    if (this.spillEnd === this.spillStart && this.ring.tryPushFrom(src, srcOffset)) return;
    const o = this.spillSlot();
    const n = this.recordWords;
    const b = this.spillBuf;
    for (let k = 0; k < n; k++) b[o + k] = src[srcOffset + k];
  }

  /** Publishes what is in the ring (end of window). */
  flush(): void {
    this.ring.publish();
  }

  /** Moves spilled records into the ring, oldest first, as far as it has room, and publishes. Returns `spilled`. */
  refill(): number {
    const ring = this.ring;
    const b = this.spillBuf;
    const n = this.recordWords;
    let s = this.spillStart;
    while (s < this.spillEnd && ring.tryPushFrom(b, s * n)) s++;
    this.spillStart = s;
    if (s === this.spillEnd) this.spillStart = this.spillEnd = 0;
    ring.publish();
    return this.spillEnd - this.spillStart;
  }

  /** The smallest record time sent since the previous call (+Infinity if none), and resets it. */
  takeSentMin(): number {
    const m = this.sentMin;
    this.sentMin = Number.POSITIVE_INFINITY;
    return m;
  }

  // Appends one record slot to the spill queue and returns its offset in spillBuf. Amortised O(1): compacts
  // when the consumed front is at least half the buffer, otherwise doubles.
  private spillSlot(): number {
    const n = this.recordWords;
    const capRecords = this.spillBuf.length / n;
    if (this.spillEnd === capRecords) {
      if (this.spillStart * 2 >= capRecords) {
        this.spillBuf.copyWithin(0, this.spillStart * n, this.spillEnd * n);
      } else {
        const grown = new Float64Array(this.spillBuf.length * 2);
        grown.set(this.spillBuf.subarray(this.spillStart * n, this.spillEnd * n));
        this.spillBuf = grown;
      }
      this.spillEnd -= this.spillStart;
      this.spillStart = 0;
    }
    this.spilledTotal++;
    return this.spillEnd++ * n;
  }
}
