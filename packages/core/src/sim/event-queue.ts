// Typed-array binary min-heap of events (no allocation per event). Ordering key: (time, src, seq) — time in
// cycles, then the id of the entity that scheduled the event, then that entity's own sequence number. The key
// is global (independent of threads and insertion order), which is what makes sharded runs reproduce a
// single-threaded run exactly (DESIGN §4).
//
// Event payload: type (u8), target entity (i32), arg (i32), and a f64 payload (typically the raise time of an
// interrupt, for latency). Records live in slot arrays; the heap orders slot indices.
//
// Shape chosen for speed at fleet scale (thousands of pending events): a 4-ary heap (half the depth of a binary
// one; the four children share a cache line) whose entries keep their time inline (heapT), so a sift compares
// contiguous float64s and touches the slot arrays only to break exact-time ties.

export class EventQueue {
  private cap: number;
  private n = 0;
  private heap: Int32Array;
  /** heapT[i] = time of the event at heap position i (inline copy of time[heap[i]]). */
  private heapT: Float64Array;
  private time: Float64Array;
  private src: Int32Array;
  private seq: Float64Array;
  private typ: Uint8Array;
  private ent: Int32Array;
  private arg: Int32Array;
  private pay: Float64Array;
  private free: Int32Array;
  private nFree: number;

  // The last popped event, read through the getters below (avoids returning an object).
  t = 0;
  type = 0;
  entity = 0;
  a0 = 0;
  a1 = 0;
  srcId = 0;
  seqNo = 0;

  constructor(capacity = 1024) {
    this.cap = capacity;
    this.heap = new Int32Array(capacity);
    this.heapT = new Float64Array(capacity);
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
    return this.n;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Number.POSITIVE_INFINITY : this.heapT[0];
  }

  push(time: number, src: number, seq: number, type: number, entity: number, a0: number, a1: number): void {
    if (this.nFree === 0) this.grow();
    const s = this.free[--this.nFree];
    this.time[s] = time;
    this.src[s] = src;
    this.seq[s] = seq;
    this.typ[s] = type;
    this.ent[s] = entity;
    this.arg[s] = a0;
    this.pay[s] = a1;
    let i = this.n++;
    const heap = this.heap;
    const heapT = this.heapT;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const tp = heapT[p];
      if (time > tp || (time === tp && !this.tieLess(s, heap[p]))) break;
      heap[i] = heap[p];
      heapT[i] = tp;
      i = p;
    }
    heap[i] = s;
    heapT[i] = time;
  }

  /** Removes the earliest event into the public fields. Returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false;
    const heap = this.heap;
    const s = heap[0];
    this.t = this.time[s];
    this.type = this.typ[s];
    this.entity = this.ent[s];
    this.a0 = this.arg[s];
    this.a1 = this.pay[s];
    this.srcId = this.src[s];
    this.seqNo = this.seq[s];
    this.free[this.nFree++] = s;
    const n = --this.n;
    if (n > 0) {
      const heapT = this.heapT;
      const last = heap[n];
      const lastT = heapT[n];
      let i = 0;
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
        if (ct > lastT || (ct === lastT && !this.tieLess(heap[c], last))) break;
        heap[i] = heap[c];
        heapT[i] = ct;
        i = c;
      }
      heap[i] = last;
      heapT[i] = lastT;
    }
    return true;
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
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.heap = g32(this.heap);
    this.heapT = g64(this.heapT);
    this.time = g64(this.time);
    this.src = g32(this.src);
    this.seq = g64(this.seq);
    const typ = new Uint8Array(cap);
    typ.set(this.typ);
    this.typ = typ;
    this.ent = g32(this.ent);
    this.arg = g32(this.arg);
    this.pay = g64(this.pay);
    const free = new Int32Array(cap);
    for (let i = 0; i < cap - this.cap; i++) free[i] = cap - 1 - i;
    this.nFree = cap - this.cap;
    this.free = free;
    this.cap = cap;
  }
}
