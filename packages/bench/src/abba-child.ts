// Child process of the cross-commit ABBA bench (abba.ts): runs one case against the build of one checkout and prints
// one JSON line. It imports that checkout's own dist/ (so the same child measures any commit that has simulate() and
// ParallelRun), runs the case once cold (whole run: module load excluded, JIT warm-up and per-scheme re-optimisation
// included) and then `warm` more times in the same process, reporting the last (warm steady state).
//
// CPU time per thread comes from /proc/self/task/<tid>/stat (utime + stime, clock ticks), so a worker pool's busiest
// thread and the sum over all threads (V8's GC and compiler helpers included) are both visible.
//
//   node packages/bench/dist/abba-child.js <root> <case> <durationNs> <warm> [pool|fresh]
//
// `pool`: a ParallelRun case keeps its shard threads in one ShardPool across the process's runs (warm is then warm
// on every thread, not only the main one); a checkout without ShardPool is refused with exit 2.

import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { benchCase } from './abba-cases.ts';

export interface ThreadCpu {
  /** Seconds of CPU (user + system) of the busiest thread. */
  busiest: number;
  /** Seconds of CPU summed over every thread of the process. */
  total: number;
}

export interface AbbaSample {
  label: 'whole' | 'warm';
  wallSeconds: number;
  cpu: ThreadCpu;
  events: number;
  interrupts: number;
}

export interface AbbaChildOutput {
  root: string;
  case: string;
  samples: AbbaSample[];
  maxRssKiB: number;
}

const TICK = 100; // USER_HZ on Linux

function threadTicks(): Map<string, number> {
  const m = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const s = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(tid, Number(f[11]) + Number(f[12])); // fields 14 and 15 (utime, stime), counted after the comm field
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return m;
}

/**
 * Per-thread CPU over a run. A worker pool's threads end with the run (piscina destroys the pool), and an ended
 * thread leaves /proc/self/task, so the ticks are sampled every 50 ms while the main thread awaits the run, keeping
 * each thread's last reading; the total comes from process.cpuUsage(), which counts ended threads too.
 */
class CpuMeter {
  private readonly before = threadTicks();
  private readonly last = new Map<string, number>();
  private readonly usage0 = process.cpuUsage();
  private readonly timer = setInterval(() => this.sample(), 50);

  private sample(): void {
    for (const [tid, t] of threadTicks()) this.last.set(tid, t);
  }

  stop(): ThreadCpu {
    clearInterval(this.timer);
    this.sample();
    let busiest = 0;
    for (const [tid, t] of this.last) busiest = Math.max(busiest, t - (this.before.get(tid) ?? 0));
    const u = process.cpuUsage(this.usage0);
    return { busiest: busiest / TICK, total: (u.user + u.system) / 1e6 };
  }
}

const [root, name, durArg, warmArg, poolArg] = process.argv.slice(2);
if (!root || !name || !(Number(durArg) > 0)) {
  console.error('usage: abba-child <root> <case> <durationNs> <warm> [pool|fresh]');
  process.exit(2);
}
const core = await import(pathToFileURL(`${root}/packages/core/dist/index.js`).href);
const workers = await import(pathToFileURL(`${root}/packages/workers/dist/index.js`).href);
const c = benchCase(name, Number(durArg), core.BUILTIN_SCENARIOS, core.COST_NAMES);
const warm = Number(warmArg ?? '1');
if (poolArg === 'pool' && c.shards > 0 && typeof workers.ShardPool !== 'function') {
  console.error(`abba-child: --pool: ${root} has no ShardPool (its @ivsim/workers predates it)`);
  process.exit(2);
}
const pool = poolArg === 'pool' && c.shards > 0 ? new workers.ShardPool(c.shards) : undefined;
const samples: AbbaSample[] = [];
for (let k = 0; k <= warm; k++) {
  const meter = new CpuMeter();
  const t0 = performance.now();
  const r =
    c.shards === 0
      ? core.simulate(c.scenario)
      : await new workers.ParallelRun(c.scenario, { shards: c.shards, durationNs: c.scenario.duration, pool }).run();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = meter.stop();
  if (k === 0 || k === warm)
    samples.push({
      label: k === 0 ? 'whole' : 'warm',
      wallSeconds,
      cpu,
      events: r.engine.events,
      interrupts: r.engine.simulatedInterrupts,
    });
}
await pool?.close();
const out: AbbaChildOutput = { root, case: name, samples, maxRssKiB: process.resourceUsage().maxRSS };
console.log(JSON.stringify(out));
