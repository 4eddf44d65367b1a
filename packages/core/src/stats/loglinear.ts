// Hot-path latency histogram: a plain log-linear bucket array (1024 linear sub-buckets per power of two, i.e.
// 3 significant digits, like HdrHistogram). Recording costs ~2 ns against ~20 ns for hdr-histogram-js WASM
// (limits.md §2.6). Histograms with the same layout merge exactly by adding counts, so per-shard histograms sum
// to the single-threaded one bit for bit; hdr.ts converts the merged result once for the results JSON.

const SUB_BITS = 10;
const SUB = 1 << SUB_BITS; // 1024
const MAX_MSB = 53;
export const LOGLINEAR_BUCKETS = 2 * SUB + (MAX_MSB - SUB_BITS) * SUB;

export function bucketIndex(v: number): number {
  if (v < 2 * SUB) return v < 0 ? 0 : Math.floor(v);
  if (v < 4294967296) {
    // Integer shifts: `2 ** shift` is a Math.pow call and made recording ~4× slower.
    const shift = 31 - Math.clz32(v) - SUB_BITS;
    return (shift + 1) * SUB + (v >>> shift) - SUB;
  }
  return wideBucketIndex(v);
}

/** bucketIndex of a value ≥ 2^32 (out of line: recording it is rare, and the common path stays inlinable). */
function wideBucketIndex(v: number): number {
  const shift = Math.floor(Math.log2(v)) - SUB_BITS;
  return (shift + 1) * SUB + Math.floor(v / 2 ** shift) - SUB;
}

/** Lowest value that maps to bucket i, and the bucket's width. */
export function bucketLow(i: number): number {
  if (i < 2 * SUB) return i;
  const shift = Math.floor(i / SUB) - 1;
  const sub = (i % SUB) + SUB;
  return sub * 2 ** shift;
}

export function bucketWidth(i: number): number {
  if (i < 2 * SUB) return 1;
  return 2 ** (Math.floor(i / SUB) - 1);
}

export class LogLinearHistogram {
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  max = 0;
  min = Number.POSITIVE_INFINITY;

  constructor(counts?: Float64Array) {
    this.counts = counts ?? new Float64Array(LOGLINEAR_BUCKETS);
  }

  record(v: number): void {
    this.counts[bucketIndex(v)]++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  /** Exact merge (counts of integer values; sums of integers below 2^53 are exact in any order). */
  add(o: LogLinearHistogram): void {
    const a = this.counts;
    const b = o.counts;
    for (let i = 0; i < a.length; i++) if (b[i] !== 0) a[i] += b[i];
    this.count += o.count;
    this.sum += o.sum;
    if (o.max > this.max) this.max = o.max;
    if (o.min < this.min) this.min = o.min;
  }
}
