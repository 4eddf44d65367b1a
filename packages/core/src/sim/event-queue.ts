// Typed-array event queue (no allocation per event). Ordering key: (time, src, seq) — time in cycles, then the id
// of the entity that scheduled the event, then that entity's own sequence number. The key is global (independent of
// threads and insertion order) and total, so any correct priority queue pops the same sequence: this is what makes
// sharded runs reproduce a single-threaded run exactly (DESIGN §4), and what lets the queue's shape change without
// changing a single result (the goldens, DESIGN §19).
//
// Event payload: type (u8), target entity (i32), arg (i32), and a f64 payload (typically the raise time of an
// interrupt, for latency). Records live in slot arrays; the heap orders slot indices. A slot index is also the
// event's handle: `push` returns it, `remove` and `reschedule` take it (the engine keeps one activity-end event per
// vCPU and moves it instead of leaving superseded events behind, DESIGN §19.2).
//
// Shape (DESIGN §19.3):
// - a front slot outside the heap holds the earliest event whenever the newest push is earlier than everything in
//   the heap — the common case of a discrete-event model whose next event is the step it just scheduled (a root-mode
//   exit's end, a handler's end). Such a push and its pop cost a compare each instead of two heap sifts;
// - behind it a 4-ary heap (half the depth of a binary one; the four children share a cache line) whose entries keep
//   their time inline (heapT), so a sift compares contiguous float64s and touches the slot arrays only to break
//   exact-time ties; pos[slot] tracks each slot's heap index so an event can be removed or moved in O(log n);
// - past SPILL_AT events the heap spills into a ladder (event-ladder.ts) and keeps only the near future, so it stays
//   small and in cache however many events are pending.

import { EventLadder } from './event-ladder.ts';
import { grown } from './grown.ts';

/** pos[] of a slot in the front slot; of a free slot; of a slot in the ladder (event-ladder.ts). */
const IN_FRONT = -2;
const FREE = -1;
const IN_LADDER = -3;
/**
 * The heap spills into the ladder when it holds more than this: past it a pop's sift down the heap misses the cache
 * at every level (DESIGN §19.3). A spill that cannot spread its events (all at one time) doubles the threshold.
 */
const SPILL_AT = 2048;

export class EventQueue {
  private cap: number;
  private n = 0;
  private heap: Int32Array;
  /** heapT[i] = time of the event at heap position i (inline copy of time[heap[i]]). */
  private heapT: Float64Array;
  /** Heap index of each slot (IN_FRONT, FREE). */
  private pos: Int32Array;
  private time: Float64Array;
  private src: Int32Array;
  private seq: Float64Array;
  private typ: Uint8Array;
  private ent: Int32Array;
  private arg: Int32Array;
  private pay: Float64Array;
  private free: Int32Array;
  private nFree: number;
  /** The earliest event when it is not in the heap (−1: the heap's root is the earliest). */
  private front = -1;
  private frontT = Number.POSITIVE_INFINITY;
  /** Everything later than the heap's events, once the heap has spilled; the heap (+ front) is its bottom. */
  private readonly ladder: EventLadder;
  private spillAt: number;
  private readonly spillBase: number;
  /** The bottom's slots, gathered for a spill. */
  private spillBuf = new Int32Array(0);

  // The last popped event, read through the fields below (avoids returning an object).
  t = 0;
  type = 0;
  entity = 0;
  a0 = 0;
  a1 = 0;
  /** Handle (slot) of the last popped event; it is free again, so it is only an identity to compare with. */
  slot = -1;

  /**
   * Source entity and sequence number of the last popped event (its key's tie-breakers; the engine does not read
   * them, so pop does not copy them). Valid until the next push, which may reuse the freed slot.
   */
  get srcId(): number {
    return this.src[this.slot];
  }

  get seqNo(): number {
    return this.seq[this.slot];
  }

  /** `spillAt`: heap size past which it spills into the ladder (tests make it small). */
  constructor(capacity = 1024, spillAt = SPILL_AT) {
    this.cap = capacity;
    this.ladder = new EventLadder(capacity);
    this.spillAt = spillAt;
    this.spillBase = spillAt;
    this.heap = new Int32Array(capacity);
    this.heapT = new Float64Array(capacity);
    this.pos = new Int32Array(capacity).fill(FREE);
    this.time = new Float64Array(capacity);
    this.src = new Int32Array(capacity);
    this.seq = new Float64Array(capacity);
    this.typ = new Uint8Array(capacity);
    this.ent = new Int32Array(capacity);
    this.arg = new Int32Array(capacity);
    this.pay = new Float64Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.nFree = capacity;
  }

  get size(): number {
    return this.n + (this.front >= 0 ? 1 : 0) + this.ladder.size;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    if (this.front >= 0) return this.frontT;
    return this.n === 0 ? Number.POSITIVE_INFINITY : this.heapT[0];
  }

  /** Queues an event; returns its handle (valid until it is popped or removed). */
  push(time: number, src: number, seq: number, type: number, entity: number, a0: number, a1: number): number {
    if (this.nFree === 0) this.grow();
    const s = this.free[--this.nFree];
    this.time[s] = time;
    this.src[s] = src;
    this.seq[s] = seq;
    this.typ[s] = type;
    this.ent[s] = entity;
    this.arg[s] = a0;
    this.pay[s] = a1;
    this.place(s, time);
    return s;
  }

  /** Moves a queued event to a new time and sequence number (same source, type, entity, payload). */
  reschedule(s: number, time: number, seq: number, a0: number): void {
    this.unlink(s);
    this.time[s] = time;
    this.seq[s] = seq;
    this.arg[s] = a0;
    this.place(s, time);
  }

  /** Drops a queued event. */
  remove(s: number): void {
    this.unlink(s);
    this.pos[s] = FREE;
    this.free[this.nFree++] = s;
  }

  /** Events in the ladder rather than the heap (for tests and the queue benchmark). */
  get laddered(): number {
    return this.ladder.size;
  }

  /** Removes the earliest event into the public fields. Returns false when empty. */
  pop(): boolean {
    let s = this.front;
    if (s >= 0) {
      this.front = -1;
      this.frontT = Number.POSITIVE_INFINITY;
    } else {
      if (this.n === 0) return false;
      s = this.heap[0];
      this.deleteAt(0);
    }
    this.t = this.time[s];
    this.type = this.typ[s];
    this.entity = this.ent[s];
    this.a0 = this.arg[s];
    this.a1 = this.pay[s];
    this.slot = s;
    this.pos[s] = FREE;
    this.free[this.nFree++] = s;
    this.refillIfDry();
    return true;
  }

  /** Puts slot s (time t) where it belongs: the ladder, else the front slot if it is the earliest, else the heap. */
  private place(s: number, t: number): void {
    if (this.ladder.inUse && this.ladder.take(s, t)) {
      this.pos[s] = IN_LADDER;
      return;
    }
    const f = this.front;
    if (f >= 0) {
      if (t < this.frontT || (t === this.frontT && this.tieLess(s, f))) {
        this.heapInsert(f, this.frontT);
        this.front = s;
        this.frontT = t;
        this.pos[s] = IN_FRONT;
      } else this.heapInsert(s, t);
    } else if (this.n === 0 || t < this.heapT[0] || (t === this.heapT[0] && this.tieLess(s, this.heap[0]))) {
      this.front = s;
      this.frontT = t;
      this.pos[s] = IN_FRONT;
      return;
    } else this.heapInsert(s, t);
    // Only once the slot is in place: a spill moves the whole bottom.
    if (this.n > this.spillAt) this.spill();
  }

  /** Takes slot s out of the ladder, the front slot or the heap (the slot stays allocated). */
  private unlink(s: number): void {
    const i = this.pos[s];
    if (i === IN_LADDER) {
      this.ladder.remove(s);
      return;
    }
    if (i === IN_FRONT) {
      this.front = -1;
      this.frontT = Number.POSITIVE_INFINITY;
    } else this.deleteAt(i);
    this.refillIfDry();
  }

  private heapInsert(s: number, t: number): void {
    this.siftUp(this.n++, s, t);
  }

  /** Keeps the bottom non-empty while the ladder holds events: peekTime and pop read only the bottom. */
  private refillIfDry(): void {
    if (this.n === 0 && this.front < 0 && this.ladder.size !== 0) this.refillBottom();
  }

  /** The bottom ran dry: the ladder hands down its next events. */
  private refillBottom(): void {
    const ladder = this.ladder;
    for (let s = ladder.refill(this.time); s >= 0; ) {
      const next = ladder.nxt[s];
      this.heapInsert(s, this.time[s]);
      s = next;
    }
  }

  /** Moves the whole bottom (heap and front slot) into a new rung of the ladder, then refills it. */
  private spill(): void {
    const k = this.n + (this.front >= 0 ? 1 : 0);
    if (this.spillBuf.length < k) this.spillBuf = new Int32Array(this.cap);
    const buf = this.spillBuf;
    for (let i = 0; i < this.n; i++) buf[i] = this.heap[i];
    if (this.front >= 0) buf[this.n] = this.front;
    if (!this.ladder.spill(buf, k, this.time)) {
      this.spillAt = 2 * this.n;
      return;
    }
    for (let i = 0; i < k; i++) this.pos[buf[i]] = IN_LADDER;
    this.n = 0;
    this.front = -1;
    this.frontT = Number.POSITIVE_INFINITY;
    this.spillAt = this.spillBase;
    this.refillBottom();
  }

  /** Removes the heap entry at index i: the last entry takes its place and moves up or down. */
  private deleteAt(i: number): void {
    const n = --this.n;
    if (i === n) return;
    const last = this.heap[n];
    const lastT = this.heapT[n];
    if (i > 0) {
      const p = (i - 1) >> 2;
      const tp = this.heapT[p];
      if (lastT < tp || (lastT === tp && this.tieLess(last, this.heap[p]))) {
        this.siftUp(i, last, lastT);
        return;
      }
    }
    this.siftDown(i, last, lastT);
  }

  /** Places slot s (time t) at heap index i or above. */
  private siftUp(i: number, s: number, t: number): void {
    const heap = this.heap;
    const heapT = this.heapT;
    const pos = this.pos;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const tp = heapT[p];
      if (t > tp || (t === tp && !this.tieLess(s, heap[p]))) break;
      const ps = heap[p];
      heap[i] = ps;
      heapT[i] = tp;
      pos[ps] = i;
      i = p;
    }
    heap[i] = s;
    heapT[i] = t;
    pos[s] = i;
  }

  /** Places slot s (time t) at heap index i or below (n = heap size, s not counted in it). */
  private siftDown(i: number, s: number, t: number): void {
    const heap = this.heap;
    const heapT = this.heapT;
    const pos = this.pos;
    const n = this.n;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // Smallest of up to four children.
      let c = first;
      let ct = heapT[first];
      const end = Math.min(first + 4, n);
      for (let k = first + 1; k < end; k++) {
        const kt = heapT[k];
        if (kt < ct || (kt === ct && this.tieLess(heap[k], heap[c]))) {
          c = k;
          ct = kt;
        }
      }
      if (ct > t || (ct === t && !this.tieLess(heap[c], s))) break;
      const cs = heap[c];
      heap[i] = cs;
      heapT[i] = ct;
      pos[cs] = i;
      i = c;
    }
    heap[i] = s;
    heapT[i] = t;
    pos[s] = i;
  }

  /** Order of two events with equal time: source entity, then that source's sequence number. */
  private tieLess(a: number, b: number): boolean {
    const sa = this.src[a];
    const sb = this.src[b];
    if (sa !== sb) return sa < sb;
    return this.seq[a] < this.seq[b];
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.heap = grown(this.heap, cap);
    this.heapT = grown(this.heapT, cap);
    this.pos = grown(this.pos, cap, FREE);
    this.time = grown(this.time, cap);
    this.src = grown(this.src, cap);
    this.seq = grown(this.seq, cap);
    this.typ = grown(this.typ, cap);
    this.ent = grown(this.ent, cap);
    this.arg = grown(this.arg, cap);
    this.pay = grown(this.pay, cap);
    this.ladder.grow(cap);
    const free = new Int32Array(cap);
    for (let i = 0; i < cap - this.cap; i++) free[i] = cap - 1 - i;
    this.nFree = cap - this.cap;
    this.free = free;
    this.cap = cap;
  }
}
