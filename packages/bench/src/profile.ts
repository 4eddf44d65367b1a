// CPU profiling of the single-threaded engine (`--profile`): runs a workload under the V8 sampling profiler of this
// thread (node:inspector, Profiler.start/stop), writes a .cpuprofile (open it in Chrome DevTools or speedscope), and
// summarises the functions with the most self time, i.e. what limits throughput. Positions in our compiled dist/
// are mapped back to the .ts source (source-map.ts).

import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import type { SourceMapper } from './source-map.ts';

/** The parts of a V8 CPU profile (Profiler.Profile) the summary needs. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
    hitCount?: number;
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  /** "functionName file:line" (1-based line; the .ts source when a source map covers it). */
  name: string;
  selfMs: number;
  /** Share of all sampled time, percent. */
  pct: number;
}

/**
 * Self time per function (all call sites merged), sorted by descending self time, top `n`. Pure apart from the
 * source maps `mapper` reads. Paths are shown relative to `root`.
 */
export function topSelfTime(p: CpuProfile, n: number, root = '', mapper?: SourceMapper): SelfTimeRow[] {
  const byNode = new Map<number, number>(); // node id → self µs
  if (p.samples && p.timeDeltas && p.samples.length === p.timeDeltas.length) {
    // timeDeltas[i] is the time since the previous sample; attribute it to sample i (as V8's own tools do).
    for (let i = 0; i < p.samples.length; i++)
      byNode.set(p.samples[i], (byNode.get(p.samples[i]) ?? 0) + Math.max(0, p.timeDeltas[i]));
  } else {
    const hits = p.nodes.reduce((a, x) => a + (x.hitCount ?? 0), 0);
    const per = hits > 0 ? (p.endTime - p.startTime) / hits : 0;
    for (const x of p.nodes) if (x.hitCount) byNode.set(x.id, x.hitCount * per);
  }
  // V8 sometimes reports samples of an optimized function under a frame without a script (url "", line −1); such a
  // frame joins the one located function of that name, when there is exactly one.
  const located = new Map<string, Set<string>>();
  for (const x of p.nodes)
    if (x.callFrame.url)
      located.set(
        x.callFrame.functionName,
        (located.get(x.callFrame.functionName) ?? new Set()).add(frameName(x.callFrame, root, mapper)),
      );
  const byFn = new Map<string, number>();
  let total = 0;
  for (const x of p.nodes) {
    const us = byNode.get(x.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const same = x.callFrame.url ? undefined : located.get(x.callFrame.functionName);
    const key = same?.size === 1 ? [...same][0] : frameName(x.callFrame, root, mapper);
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  return [...byFn.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([name, us]) => ({ name, selfMs: us / 1000, pct: total > 0 ? (100 * us) / total : 0 }));
}

function frameName(f: CpuProfile['nodes'][number]['callFrame'], root: string, mapper?: SourceMapper): string {
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn; // (program), (garbage collector), (idle), native builtins
  const src = mapper?.original(f.url, f.lineNumber, f.columnNumber ?? 0);
  let url = src ? src.source : f.url.replace(/^file:\/\//, '');
  if (root && url.startsWith(root)) url = url.slice(root.length).replace(/^\//, '');
  return `${fn} ${url}:${src ? src.line : f.lineNumber + 1}`;
}

/** Runs `work` under the profiler of this thread; writes the profile to `file` and returns it. */
export async function profileRun(
  file: string,
  work: () => void | Promise<void>,
  intervalUs = 200,
): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    let failure: unknown = null;
    try {
      await work();
    } catch (e) {
      failure = e;
    }
    const { profile } = await session.post('Profiler.stop');
    if (failure !== null) throw failure;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    return profile as unknown as CpuProfile;
  } finally {
    await session.post('Profiler.disable').catch(() => {});
    session.disconnect();
  }
}
