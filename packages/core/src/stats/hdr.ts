// Conversion of the merged log-linear histogram to an HdrHistogram (hdr-histogram-js) in nanoseconds, for the
// percentiles and the compressed base64 histogram of the results JSON (DESIGN §5). Done once per scheme.

import * as hdr from 'hdr-histogram-js';
import { bucketLow, bucketWidth, type LogLinearHistogram } from './loglinear.ts';

/**
 * A latency distribution in brief, in the unit of the field holding it (`latencyNs`: ns, `latencyCycles`: cycles).
 * Percentiles are HdrHistogram values at 3 significant digits; all fields are 0 when `count` is 0.
 */
export interface LatencySummary {
  /** Number of samples (interrupts). */
  count: number;
  /** Arithmetic mean, rounded to 0.1. */
  mean: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** 99.9th percentile. */
  p999: number;
  /** Largest sample, rounded to 0.1. */
  max: number;
}

/** A merged engine histogram as the results carry it: summaries in ns and cycles, the compressed histogram. */
export interface ConvertedHistogram {
  /** Summary in ns. */
  summary: LatencySummary;
  /** Same summary in cycles (exact mean/max; percentiles at 3 significant digits). */
  summaryCycles: LatencySummary;
  /** The ns histogram, HdrHistogram compressed base64 (the results' `histograms.delivery` / `.completion`). */
  base64: string;
}

/**
 * Decodes a histogram of the results JSON (`schemes[i].histograms.delivery` or `.completion`: HdrHistogram
 * compressed base64, values in ns) into an hdr-histogram-js histogram, for percentiles, CDFs or HdrHistogram logs.
 * Uses the settings the results were encoded with (64-bit buckets, the JS implementation).
 *
 * @throws Error (from hdr-histogram-js) when `base64` is not a compressed HdrHistogram.
 */
export function decodeHistogram(base64: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(base64, 64, false);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Converts a merged log-linear histogram (cycles) to ns and cycle summaries and the compressed ns histogram. */
export function toHdr(h: LogLinearHistogram, freqGHz: number): ConvertedHistogram {
  const ns = hdr.build({
    bitBucketSize: 64,
    useWebAssembly: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 40,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  const cyc = hdr.build({
    bitBucketSize: 64,
    useWebAssembly: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 45,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  const c = h.counts;
  for (let i = 0; i < c.length; i++) {
    const n = c[i];
    if (n === 0) continue;
    const mid = bucketLow(i) + (bucketWidth(i) - 1) / 2;
    ns.recordValueWithCount(Math.max(1, Math.round(mid / freqGHz)), n);
    cyc.recordValueWithCount(Math.max(1, Math.round(mid)), n);
  }
  const summarize = (x: hdr.Histogram, scale: number): LatencySummary =>
    h.count === 0
      ? { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }
      : {
          count: h.count,
          mean: round1(h.sum / h.count / scale),
          p50: x.getValueAtPercentile(50),
          p90: x.getValueAtPercentile(90),
          p99: x.getValueAtPercentile(99),
          p999: x.getValueAtPercentile(99.9),
          max: round1(h.max / scale),
        };
  const out = {
    summary: summarize(ns, freqGHz),
    summaryCycles: summarize(cyc, 1),
    base64: hdr.encodeIntoCompressedBase64(ns),
  };
  return out;
}
