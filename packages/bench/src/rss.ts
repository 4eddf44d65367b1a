// Memory benchmark: peak RSS of `fleet` (2 shards) at virtual duration D and at 10·D, each in a fresh child process
// (rss-probe.js). Histograms are fixed-size bucket arrays and events live in typed-array queues, so memory should
// not grow with the simulated duration: the 10·D / D ratio should be ≈ 1.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Metric } from './compare.ts';
import type { RssProbeOutput } from './rss-probe.ts';

// Child processes always run compiled JS, even when this module is loaded from src/ by a test runner.
const DIST = import.meta.url.endsWith('.ts') ? new URL('../dist/', import.meta.url) : new URL('./', import.meta.url);
const PROBE = fileURLToPath(new URL('rss-probe.js', DIST));

export const RSS_D_NS = { full: 20e6, quick: 5e6 };
export const RSS_SHARDS = 2;

export interface RssResult {
  metrics: Record<string, Metric>;
  details: { d: RssProbeOutput; tenD: RssProbeOutput; growth: number };
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

export async function runRss(opts: { quick: boolean; log: (s: string) => void }): Promise<RssResult> {
  const D = opts.quick ? RSS_D_NS.quick : RSS_D_NS.full;
  const show = (label: string, x: RssProbeOutput) =>
    opts.log(
      `  fleet ${label.padEnd(5)} = ${(x.durationNs / 1e6).toFixed(0).padStart(4)} ms virtual, ${x.shards} shards: ` +
        `peak RSS ${(x.maxRssKiB / 1024).toFixed(1).padStart(6)} MiB  (at start ${(x.rssBeforeKiB / 1024).toFixed(1)} MiB; ` +
        `${x.wallSeconds.toFixed(1)} s wall, ${(x.simulatedInterrupts / 1e6).toFixed(2)}M interrupts)`,
    );
  const d = await probe(D, RSS_SHARDS);
  show('D', d);
  const tenD = await probe(10 * D, RSS_SHARDS);
  show('10·D', tenD);
  const growth = tenD.maxRssKiB / d.maxRssKiB;
  opts.log(`  peak RSS 10·D / D = ${growth.toFixed(3)}  (≈ 1: memory bounded, no growth with the simulated duration)`);
  const mem = (value: number): Metric => ({ value, unit: 'MiB', better: 'lower', kind: 'memory' });
  return {
    metrics: {
      'rss.fleet.D.peakMiB': mem(d.maxRssKiB / 1024),
      'rss.fleet.10D.peakMiB': mem(tenD.maxRssKiB / 1024),
      'rss.fleet.growth10D_D': { value: growth, unit: '×', better: 'lower', kind: 'ratio', ref: '≈ 1 (bounded)' },
    },
    details: { d, tenD, growth },
  };
}
