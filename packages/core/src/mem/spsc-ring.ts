// Fixed-record single-producer single-consumer ring over a SharedArrayBuffer (DESIGN §4: cross-shard events travel
// in SAB rings). Records are `recordWords` float64 words (6 for the engine: time, srcEntity, seq, kind, a, b).
//
// Why this shape (docs/machine-limits.md §2.1): an Atomics call costs ~8 ns and is not inlined, and a per-message tail
// store bounces the tail cache line on every message (27 M msg/s), while publishing once per batch and releasing
// the head once per drain reaches ~100 M msg/s. So pushes only write the record and advance a private tail;
// `publish()` makes everything pushed so far visible with ONE Atomics.store, and `drain()` / `release()` free the
// consumed slots with ONE Atomics.store of the head. Plain typed-array writes made before an Atomics.store are
// visible to a thread whose Atomics.load reads that store (the JS memory model's synchronizes-with), which is all
// the ordering an SPSC ring needs.
//
// Layout of the buffer (from `byteOffset`), every control word on its own 128-byte block so the producer's tail
// and the consumer's head never share a cache line (nor an adjacent-line prefetch pair):
//   [0, 128)      meta: i32 magic, capacity, recordWords (written once by the creator)
//   [128, 256)    tail, fence0, fence1: i32, written by the producer only
//   [256, 384)    head: i32, written by the consumer only
//   [384, ...)    records: capacity × recordWords float64
// Head and tail are free-running Int32 counters that wrap; `(tail - head) | 0` is the fill level, which stays
// correct across the wrap because capacity ≤ 2^30.
//
// Fences: `fence(slot)` publishes and also records the published tail in fence slot 0 or 1; `drainFence(slot)`
// drains exactly up to that mark. The window exchange (exchange.ts) fences with the barrier generation's parity, so
// a consumer that is still draining generation g never picks up records a faster producer already published for
// generation g + 1. Two slots suffice because the producer cannot reach generation g + 2 (and overwrite slot
// g & 1) before the consumer has arrived at g + 1, i.e. finished draining g.

const MAGIC = 0x52494e47; // 'RING': catches attaching to a buffer (or offset) that holds no ring
const META_MAGIC = 0;
const META_CAP = 1;
const META_WIDTH = 2;
const TAIL = 32; // i32 index = byte 128
const FENCE = 33; // two slots, same line as the tail: the same thread writes them at the same time
const HEAD = 64; // i32 index = byte 256
export const RING_HEADER_BYTES = 384;

/** Consumer callback: the record is `data[offset] … data[offset + recordWords - 1]`; valid only during the call. */
export type RecordSink = (data: Float64Array, offset: number) => void;

export class SpscRing {
  /** Record storage. Producers may write a record in place at the offset returned by `tryClaim()`. */
  readonly data: Float64Array;
  readonly capacity: number;
  readonly recordWords: number;
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  private readonly ctl: Int32Array;
  private readonly mask: number;
  // Producer-private state: the next free slot, the last published tail, and a possibly stale copy of the head
  // (refreshed only when the ring looks full, so a push costs no Atomics call in the common case).
  private tail: number;
  private pubTail: number;
  private headCache: number;
  // Consumer-private state: the next slot to read and the tail seen by the last `available()`.
  private head: number;
  private tailCache: number;

  /** Bytes a ring of this shape needs (header included). */
  static bytesFor(capacity: number, recordWords: number): number {
    checkShape(capacity, recordWords);
    return RING_HEADER_BYTES + capacity * recordWords * 8;
  }

  /** Allocates a new SharedArrayBuffer and formats a ring in it. */
  static create(capacity: number, recordWords = 6): SpscRing {
    const sab = new SharedArrayBuffer(SpscRing.bytesFor(capacity, recordWords));
    return SpscRing.format(sab, 0, capacity, recordWords);
  }

  /** Formats a ring inside an existing buffer (e.g. one SAB holding several rings); `byteOffset` 8-aligned. */
  static format(buffer: ArrayBufferLike, byteOffset: number, capacity: number, recordWords = 6): SpscRing {
    checkShape(capacity, recordWords);
    if (byteOffset % 8 !== 0) throw new RangeError(`ring byteOffset ${byteOffset} is not 8-byte aligned`);
    const ctl = new Int32Array(buffer, byteOffset, RING_HEADER_BYTES / 4);
    ctl.fill(0);
    ctl[META_CAP] = capacity;
    ctl[META_WIDTH] = recordWords;
    // Published last so a concurrent attach never sees a half-written header.
    Atomics.store(ctl, META_MAGIC, MAGIC);
    return new SpscRing(buffer, byteOffset);
  }

  /** Attaches to a ring that `create`/`format` laid out, e.g. in another thread that received the SAB. */
  static fromBuffer(buffer: ArrayBufferLike, byteOffset = 0): SpscRing {
    return new SpscRing(buffer, byteOffset);
  }

  private constructor(buffer: ArrayBufferLike, byteOffset: number) {
    const ctl = new Int32Array(buffer, byteOffset, RING_HEADER_BYTES / 4);
    if (Atomics.load(ctl, META_MAGIC) !== MAGIC) throw new Error(`no SpscRing at byte ${byteOffset} of this buffer`);
    this.buffer = buffer;
    this.byteOffset = byteOffset;
    this.ctl = ctl;
    this.capacity = ctl[META_CAP];
    this.recordWords = ctl[META_WIDTH];
    this.mask = this.capacity - 1;
    this.data = new Float64Array(buffer, byteOffset + RING_HEADER_BYTES, this.capacity * this.recordWords);
    // Either side may attach while the other is already running, so start from the shared counters.
    this.tail = this.pubTail = Atomics.load(ctl, TAIL);
    this.head = this.headCache = Atomics.load(ctl, HEAD);
    this.tailCache = this.tail;
  }

  // ---- producer side ----

  /**
   * Reserves the next slot and returns its offset into `data`, or -1 when the ring is full. The caller must write
   * all `recordWords` words before the next `publish()`; nothing is visible to the consumer until then.
   */
  tryClaim(): number {
    const t = this.tail;
    if (((t - this.headCache) | 0) >= this.capacity) {
      this.headCache = Atomics.load(this.ctl, HEAD);
      if (((t - this.headCache) | 0) >= this.capacity) return -1;
    }
    this.tail = (t + 1) | 0;
    return (t & this.mask) * this.recordWords;
  }

  /**
   * Writes one record (up to 6 words; words past `recordWords` are ignored, missing ones are 0) without
   * publishing it. Returns false when the ring is full. Wider records go through `tryClaim()`.
   */
  tryPush(w0: number, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0): boolean {
    const o = this.tryClaim();
    if (o < 0) return false;
    const d = this.data;
    const n = this.recordWords;
    d[o] = w0;
    if (n > 1) d[o + 1] = w1;
    if (n > 2) d[o + 2] = w2;
    if (n > 3) d[o + 3] = w3;
    if (n > 4) d[o + 4] = w4;
    if (n > 5) d[o + 5] = w5;
    return true;
  }

  /** Copies one record from `src[srcOffset …]` without publishing it. Returns false when the ring is full. */
  tryPushFrom(src: Float64Array, srcOffset: number): boolean {
    const o = this.tryClaim();
    if (o < 0) return false;
    const n = this.recordWords;
    const d = this.data;
    for (let k = 0; k < n; k++) d[o + k] = src[srcOffset + k];
    return true;
  }

  /** Makes every record pushed so far visible to the consumer: one Atomics.store, and none if nothing is new. */
  publish(): void {
    if (this.pubTail !== this.tail) {
      Atomics.store(this.ctl, TAIL, this.tail);
      this.pubTail = this.tail;
    }
  }

  /** Publishes, then marks the published position in fence `slot` (0 or 1) for `drainFence(slot)`. */
  fence(slot: number): void {
    this.publish();
    Atomics.store(this.ctl, FENCE + (slot & 1), this.tail);
  }

  /** Records pushed but not yet published. */
  get unpublished(): number {
    return (this.tail - this.pubTail) | 0;
  }

  /** Slots the producer can fill right now (refreshes its view of the consumer's head). */
  freeSlots(): number {
    this.headCache = Atomics.load(this.ctl, HEAD);
    return this.capacity - ((this.tail - this.headCache) | 0);
  }

  // ---- consumer side ----

  /** Number of published records not yet released; loads the producer's tail once. */
  available(): number {
    this.tailCache = Atomics.load(this.ctl, TAIL);
    return (this.tailCache - this.head) | 0;
  }

  /** Offset into `data` of the i-th unreleased record (0 = oldest); i must be < the last `available()`. */
  offsetAt(i: number): number {
    return ((this.head + i) & this.mask) * this.recordWords;
  }

  /** Frees the n oldest records for the producer with one Atomics.store (n ≤ the last `available()`). */
  release(n: number): void {
    if (n <= 0) return;
    const avail = (this.tailCache - this.head) | 0;
    if (n > avail) throw new RangeError(`release(${n}) exceeds the ${avail} records seen by available()`);
    this.head = (this.head + n) | 0;
    Atomics.store(this.ctl, HEAD, this.head);
  }

  /**
   * Like `drain`, but only up to the position the producer marked with `fence(slot)`; records published after that
   * mark stay in the ring. Throws if the mark is behind the consumer (a fence slot reused too early).
   */
  drainFence(sink: RecordSink, slot: number): number {
    const limit = Atomics.load(this.ctl, FENCE + (slot & 1));
    const n = (limit - this.head) | 0;
    if (n < 0 || n > this.capacity)
      throw new RangeError(`fence ${slot & 1} at ${limit} is inconsistent with head ${this.head}`);
    return this.consume(sink, n);
  }

  /**
   * Calls `sink` for every record published so far (at most `max`), oldest first, then releases them all with one
   * Atomics.store. Returns the number of records consumed. Pass a long-lived function, not a fresh closure, to keep
   * the hot path allocation-free.
   */
  drain(sink: RecordSink, max = 0x7fffffff): number {
    const n = this.available();
    return this.consume(sink, Math.min(n, max));
  }

  // Delivers the n oldest records (n ≤ what the producer has published) and releases them with one store.
  private consume(sink: RecordSink, n: number): number {
    const d = this.data;
    const w = this.recordWords;
    const m = this.mask;
    let h = this.head;
    for (let i = 0; i < n; i++) {
      sink(d, (h & m) * w);
      h = (h + 1) | 0;
    }
    if (n > 0) {
      this.head = h;
      Atomics.store(this.ctl, HEAD, h);
    }
    return n;
  }
}

function checkShape(capacity: number, recordWords: number): void {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring capacity ${capacity} must be a power of two in [1, 2^30]`);
  }
  if (!Number.isInteger(recordWords) || recordWords < 1) {
    throw new RangeError(`recordWords ${recordWords} must be a positive integer`);
  }
}
