// Memory benchmark: peak RSS of `fleet` (2 shards) at virtual duration D and at 10·D, each in a fresh child process
// (rss-probe.js). Histograms are fixed-size bucket arrays and events live in typed-array queues, so memory should
// not grow with the simulated duration: the 10·D / D ratio should be ≈ 1. `repeats` pairs of probes, in alternating
// order (D 10·D, 10·D D, …), each probe one sample.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Metric, metric } from './compare.ts';
import type { RssProbeOutput } from './rss-probe.ts';

// Child processes always run compiled JS, even when this module is loaded from src/ by a test runner.
const DIST = import.meta.url.endsWith('.ts') ? new URL('../dist/', import.meta.url) : new URL('./', import.meta.url);
const PROBE = fileURLToPath(new URL('rss-probe.js', DIST));

/** D in virtual ns (before IVSIM_BENCH_SCALE); the probes run D and 10·D. */
export const RSS_D_NS = { full: 10e6, quick: 2e6 };
export const RSS_SHARDS = 2;

export interface RssResult {
  metrics: Record<string, Metric>;
  details: { d: RssProbeOutput[]; tenD: RssProbeOutput[]; growth: number };
}

export function probe(durationNs: number, shards: number): Promise<RssProbeOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [PROBE, String(durationNs), String(shards)],
      { maxBuffer: 1 << 20, timeout: 600_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`rss-probe ${durationNs} ${shards} failed: ${stderr.trim() || err.message}`));
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as RssProbeOutput);
        } catch {
          reject(new Error(`rss-probe printed no JSON: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}

/** D of this run: the mode's, scaled (whole ns, at least 1 µs). */
export function rssD(o: { quick: boolean; scale: number }): number {
  return Math.max(1000, Math.round((o.quick ? RSS_D_NS.quick : RSS_D_NS.full) * o.scale));
}

export async function runRss(opts: {
  quick: boolean;
  repeats: number;
  scale: number;
  log: (s: string) => void;
}): Promise<RssResult> {
  const D = rssD(opts);
  const show = (label: string, x: RssProbeOutput) =>
    opts.log(
      `  fleet ${label.padEnd(5)} = ${(x.durationNs / 1e6).toFixed(1).padStart(6)} ms virtual, ${x.shards} shards: ` +
        `peak RSS ${(x.maxRssKiB / 1024).toFixed(1).padStart(6)} MiB  (at start ${(x.rssBeforeKiB / 1024).toFixed(1)} MiB; ` +
        `${x.wallSeconds.toFixed(1)} s wall, ${(x.simulatedInterrupts / 1e6).toFixed(2)}M interrupts)`,
    );
  const d: RssProbeOutput[] = [];
  const tenD: RssProbeOutput[] = [];
  for (let k = 0; k < opts.repeats; k++)
    for (const which of k % 2 === 0 ? ['D', '10·D'] : ['10·D', 'D']) {
      const x = await probe(which === 'D' ? D : 10 * D, RSS_SHARDS);
      (which === 'D' ? d : tenD).push(x);
      show(which, x);
    }
  const mib = (xs: RssProbeOutput[]) => xs.map((x) => x.maxRssKiB / 1024);
  const growth = metric(
    tenD.map((x, k) => x.maxRssKiB / d[k].maxRssKiB),
    '×',
    'lower',
    'ratio',
    '≈ 1 (bounded)',
  );
  opts.log(
    `  peak RSS 10·D / D = ${growth.value.toFixed(3)}  (median of ${d.length} pairs; ≈ 1: memory bounded, no growth with the simulated duration)`,
  );
  return {
    metrics: {
      'rss.fleet.D.peakMiB': metric(mib(d), 'MiB', 'lower', 'memory'),
      'rss.fleet.10D.peakMiB': metric(mib(tenD), 'MiB', 'lower', 'memory'),
      'rss.fleet.growth10D_D': growth,
    },
    details: { d, tenD, growth: growth.value },
  };
}
