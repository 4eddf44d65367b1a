// The far tiers of the event queue: a ladder queue (W. T. Tang, R. S. M. Goh, I. L.-J. Thng, "Ladder Queue: An O(1)
// Priority Queue Structure for Large-Scale Discrete Event Simulation", ACM TOMACS 15(3), 2005). The queue's 4-ary
// heap (event-queue.ts) is the ladder's *bottom*: it holds only the near future, so it stays small and in cache at
// 10^6 pending events, where a heap over everything pays a cache miss per level on every pop.
//
// - The *top* is an unsorted list of every event at or after `topStart`.
// - A *rung* is an array of buckets of equal width over a time range; each bucket an unsorted doubly linked list
//   of slots (O(1) insert and remove — the engine moves and removes queued events, DESIGN §19.2). Rung r + 1 covers
//   the bucket of rung r that was handed down (`cur[r]`).
// - When the bottom runs dry the deepest rung hands its next non-empty bucket down: to the bottom if it is small,
//   else spread over a new, finer rung. A rung with nothing left is dropped; with no rung left the top is spread
//   over a new rung 0.
//
// Where an event goes is a function of its time alone, given the ladder's shape (`take`): the top if
// t ≥ topStart, else the first rung r whose bucket for t is past cur[r], else the bottom. Bucket indices are
// monotone in t (clamped at both ends), so events of equal time always share a place and every event in the ladder
// is later than every event in the bottom: the bottom's heap, which breaks ties by (source, sequence), pops the
// exact global order. Every reshaping below keeps each event where `take` would now put it.

import { grown } from './grown.ts';

/** Rungs at most; a bucket that is still too big at this depth goes to the bottom whole. */
const MAX_RUNGS = 8;
/** A bucket of more events than this is spread over a finer rung rather than handed to the bottom. */
const BUCKET_MAX = 48;
/** Buckets in a rung: one per event it starts with, within these bounds. */
const MIN_BUCKETS = 8;
const MAX_BUCKETS = 1 << 20;
/** Bucket id of the top list; rung buckets follow it. */
const TOP = 0;

export class EventLadder {
  /** Per slot: next and previous slot in its bucket's list (−1: none), and the bucket it is in. */
  nxt: Int32Array;
  private prv: Int32Array;
  private bkt: Int32Array;
  /** Per bucket id: first slot of its list (−1: empty) and how many it holds. */
  private head = new Int32Array(1 + MIN_BUCKETS).fill(-1);
  private cnt = new Int32Array(1 + MIN_BUCKETS);
  /** Events in the top and the rungs. */
  size = 0;
  /** Rungs in use. */
  rungs = 0;
  private readonly start = new Float64Array(MAX_RUNGS);
  private readonly width = new Float64Array(MAX_RUNGS);
  private readonly base = new Int32Array(MAX_RUNGS);
  private readonly nb = new Int32Array(MAX_RUNGS);
  /** Per rung: the last bucket handed down (to the bottom or to the next rung); −1 none yet. */
  private readonly cur = new Int32Array(MAX_RUNGS);
  /** Events at or after this time go to the top; +Infinity while the ladder holds nothing (all in the bottom). */
  topStart = Number.POSITIVE_INFINITY;
  private topMin = Number.POSITIVE_INFINITY;
  private topMax = Number.NEGATIVE_INFINITY;

  constructor(capacity: number) {
    this.nxt = new Int32Array(capacity);
    this.prv = new Int32Array(capacity);
    this.bkt = new Int32Array(capacity);
  }

  /** The ladder holds events (topStart is finite exactly then); unused, every event belongs in the bottom. */
  get inUse(): boolean {
    return this.topStart !== Number.POSITIVE_INFINITY;
  }

  /** Takes slot s (time t) if it belongs in the ladder; false: it belongs in the bottom. Only while inUse. */
  take(s: number, t: number): boolean {
    if (t >= this.topStart) {
      if (t < this.topMin) this.topMin = t;
      if (t > this.topMax) this.topMax = t;
      this.link(s, TOP);
      return true;
    }
    for (let r = 0; r < this.rungs; r++) {
      const b = this.bucketOf(r, t);
      if (b > this.cur[r]) {
        this.link(s, this.base[r] + b);
        return true;
      }
      // b ≤ cur[r]: that part of rung r was handed down — to rung r + 1, or (deepest rung) to the bottom.
    }
    return false;
  }

  /** Drops slot s from its bucket. */
  remove(s: number): void {
    const id = this.bkt[s];
    const p = this.prv[s];
    const n = this.nxt[s];
    if (p >= 0) this.nxt[p] = n;
    else this.head[id] = n;
    if (n >= 0) this.prv[n] = p;
    this.cnt[id]--;
    if (--this.size === 0) this.reset();
  }

  /**
   * The next events for the bottom, taken out of the ladder: the first slot of a list linked through `nxt` (−1
   * ends it), or −1 when the ladder is empty. Called only when the bottom is empty.
   */
  refill(time: Float64Array): number {
    for (;;) {
      if (this.size === 0) return -1;
      if (this.rungs === 0) {
        if (this.spreadTop(time)) continue;
        // Every event of the top at one time (or at +Infinity): no rung can sort them; the heap does.
        const h = this.detach(TOP);
        this.reset();
        return h;
      }
      const r = this.rungs - 1;
      const base = this.base[r];
      const nb = this.nb[r];
      let b = this.cur[r] + 1;
      while (b < nb && this.cnt[base + b] === 0) b++;
      if (b === nb) {
        this.rungs--;
        continue;
      }
      this.cur[r] = b;
      const id = base + b;
      if (this.cnt[id] > BUCKET_MAX && this.spawn(id, time)) continue;
      const h = this.detach(id);
      if (this.size === 0) this.reset();
      return h;
    }
  }

  /**
   * Spreads the bottom's events `slots[0..k)` over a new rung (below the deepest one, which covers them; or rung 0
   * when there is none). False, and nothing moved, if they cannot be spread (one time, or no rung left).
   */
  spill(slots: Int32Array, k: number, time: Float64Array): boolean {
    if (this.rungs === MAX_RUNGS) return false;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < k; i++) {
      const t = time[slots[i]];
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    const r = this.newRung(lo, hi, k);
    if (r < 0) return false;
    // The ladder comes into use: its top starts just past the new rung's last event, so later events do not pile
    // into that rung's last bucket. (In use, topStart is finite; a rung under others lies before the top already.)
    if (this.topStart === Number.POSITIVE_INFINITY && !this.startTopPast(hi)) return false;
    for (let i = 0; i < k; i++) {
      const s = slots[i];
      this.link(s, this.base[r] + this.bucketOf(r, time[s]));
    }
    return true;
  }

  /** Grows the per-slot arrays to `capacity`. */
  grow(capacity: number): void {
    this.nxt = grown(this.nxt, capacity);
    this.prv = grown(this.prv, capacity);
    this.bkt = grown(this.bkt, capacity);
  }

  private bucketOf(r: number, t: number): number {
    const x = (t - this.start[r]) / this.width[r];
    const nb = this.nb[r];
    return x < 0 ? 0 : x >= nb ? nb - 1 : x | 0;
  }

  private link(s: number, id: number): void {
    const h = this.head[id];
    this.nxt[s] = h;
    this.prv[s] = -1;
    if (h >= 0) this.prv[h] = s;
    this.head[id] = s;
    this.bkt[s] = id;
    this.cnt[id]++;
    this.size++;
  }

  /** Empties bucket id; returns its list. */
  private detach(id: number): number {
    const h = this.head[id];
    this.size -= this.cnt[id];
    this.head[id] = -1;
    this.cnt[id] = 0;
    return h;
  }

  /** Moves the whole top onto a new rung 0 past it. False if the top cannot be spread. */
  private spreadTop(time: Float64Array): boolean {
    const lo = this.topMin;
    const hi = this.topMax;
    const r = this.newRung(lo, hi, this.cnt[TOP]);
    if (r < 0 || !this.startTopPast(hi)) return false;
    this.topMin = Number.POSITIVE_INFINITY;
    this.topMax = Number.NEGATIVE_INFINITY;
    this.relink(this.detach(TOP), r, time);
    return true;
  }

  /** Spreads bucket id over a new rung. False, and nothing moved, if its events cannot be spread. */
  private spawn(id: number, time: Float64Array): boolean {
    if (this.rungs === MAX_RUNGS) return false;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let s = this.head[id]; s >= 0; s = this.nxt[s]) {
      const t = time[s];
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    const r = this.newRung(lo, hi, this.cnt[id]);
    if (r < 0) return false;
    this.relink(this.detach(id), r, time);
    return true;
  }

  /** Links a detached list into rung r's buckets. */
  private relink(h: number, r: number, time: Float64Array): void {
    const base = this.base[r];
    for (let s = h; s >= 0; ) {
      const next = this.nxt[s];
      this.link(s, base + this.bucketOf(r, time[s]));
      s = next;
    }
  }

  /** Adds a rung over [lo, hi] for `events` events; its index, or −1 if [lo, hi] cannot be divided. */
  private newRung(lo: number, hi: number, events: number): number {
    const nb = Math.min(MAX_BUCKETS, Math.max(MIN_BUCKETS, events));
    const w = (hi - lo) / nb;
    if (!(w > 0) || !Number.isFinite(w) || lo + w === lo) return -1;
    const r = this.rungs;
    const base = r === 0 ? TOP + 1 : this.base[r - 1] + this.nb[r - 1];
    this.ensureBuckets(base + nb);
    this.head.fill(-1, base, base + nb);
    this.cnt.fill(0, base, base + nb);
    this.start[r] = lo;
    this.width[r] = w;
    this.base[r] = base;
    this.nb[r] = nb;
    this.cur[r] = -1;
    this.rungs = r + 1;
    return r;
  }

  /**
   * Starts the top past the new rung 0's last bucket and strictly past `hi`, its latest event, so no time is both
   * in the top and in rung 0. False, with rung 0 undone, when no float lies past `hi` at that width.
   */
  private startTopPast(hi: number): boolean {
    const end = Math.max(this.start[0] + this.nb[0] * this.width[0], hi + this.width[0]);
    if (!(end > hi)) {
      this.rungs = 0;
      return false;
    }
    this.topStart = end;
    return true;
  }

  private ensureBuckets(n: number): void {
    if (n <= this.head.length) return;
    let cap = this.head.length;
    while (cap < n) cap *= 2;
    this.head = grown(this.head, cap, -1);
    this.cnt = grown(this.cnt, cap);
  }

  /** The ladder holds nothing: every event goes to the bottom until it spills again. */
  private reset(): void {
    this.rungs = 0;
    this.topStart = Number.POSITIVE_INFINITY;
    this.topMin = Number.POSITIVE_INFINITY;
    this.topMax = Number.NEGATIVE_INFINITY;
  }
}
