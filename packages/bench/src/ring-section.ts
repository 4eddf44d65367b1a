// The ring section of the suite: runs the data-plane benchmark of ring-bench.ts (our SpscRing vs ringbuf.js vs
// postMessage, plus 2-thread barrier crossings) and turns it into metrics, with the headline ratios measured in
// this one run: ours-batched : ringbuf.js : postMessage.

import { type Metric, metric } from './compare.ts';
import { type CaseResult, type RingBenchResult, runRingBench } from './ring-bench.ts';

/** Reference figures of limits.md (16-byte messages there; our records are larger). */
const REFS: Record<string, string> = {
  spscPub64: '89–115M msg/s, pub=64 (§2.1)',
  spscPub1: '27–29M msg/s, pub=1 (§2.1)',
  postMessage: '0.8–0.9M msg/s, one object (§2.3)',
  barrier2: 'spin-then-wait 6.2–7.7M/s; spin 2.6–9.2M/s (§2.7)',
};

export interface RingSectionResult {
  metrics: Record<string, Metric>;
  details: { cases: Record<string, CaseResult>; ratios: Record<string, number>; headline: string };
}

const isCase = (v: unknown): v is CaseResult =>
  typeof v === 'object' && v !== null && typeof (v as CaseResult).median === 'number' && 'label' in v;

/** Each measured repetition of a case is one sample (`repeats` of them, after one discarded warm-up). */
export async function runRing(opts: {
  quick: boolean;
  repeats: number;
  scale: number;
  log: (s: string) => void;
}): Promise<RingSectionResult> {
  const r: RingBenchResult = await runRingBench({
    durationMs: Math.max(1, (opts.quick ? 100 : 200) * opts.scale),
    reps: opts.repeats,
    warmup: 1,
  });
  const metrics: Record<string, Metric> = {};
  const cases: Record<string, CaseResult> = {};
  for (const [key, v] of Object.entries(r)) {
    if (!isCase(v)) continue;
    cases[key] = v;
    metrics[`ring.${key}`] = metric(v.rates, v.unit, 'higher', 'throughput', REFS[key]);
    const spread = `[${fmtM(v.min)}–${fmtM(v.max)}]`;
    opts.log(
      `  ${v.label.padEnd(40)} ${fmtM(v.median).padStart(7)} ${v.unit.padEnd(12)} ${spread.padEnd(16)} ${REFS[key] ? `ref ${REFS[key]}` : ''}`.trimEnd(),
    );
  }
  for (const [k, v] of Object.entries(r.ratios ?? {})) metrics[`ring.ratio.${k}`] = metric([v], '×', 'higher', 'ratio');
  // Headline, normalised to postMessage = 1.
  const pm = cases.postMessage?.median;
  const parts: [string, number | undefined][] = [
    ['ours batched (pub 64)', cases.spscPub64?.median],
    ['ringbuf.js (64/push)', cases.ringbufPush64?.median],
    ['postMessage', pm],
  ];
  const parts1: [string, number | undefined][] = [
    ['ours per-message', cases.spscPub1?.median],
    ['ringbuf.js (1/push)', cases.ringbufPush1?.median],
    ['postMessage', pm],
  ];
  const line = (p: [string, number | undefined][]) =>
    pm
      ? `${p.map(([n]) => n).join(' : ')} = ${p.map(([, v]) => (v === undefined ? '?' : (v / pm).toFixed(1))).join(' : ')}`
      : '';
  const headline = line(parts);
  if (pm) {
    opts.log(`  batched:     ${headline}`);
    opts.log(`  per-message: ${line(parts1)}`);
  }
  return { metrics, details: { cases, ratios: r.ratios ?? {}, headline } };
}

function fmtM(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e8 ? 0 : 1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(0)}k`;
  return v.toFixed(0);
}
