// Resource guards (DESIGN §14): before a run starts, estimate its events and memory from the scenario (core
// estimateRun) and refuse — exit 2, one line naming the field that drives the estimate — what this machine cannot
// finish in RUN_BUDGET_SECONDS or hold in memory. `--force` runs it anyway.

import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { estimateRun, type Scenario, ScenarioError } from '@ivsim/core';
import { BYTES_PER_QUEUE, BYTES_PER_VCPU } from '@ivsim/core/internal';

/** Longest run accepted without --force. */
export const RUN_BUDGET_SECONDS = 600;
/**
 * Engine events per second per shard, a conservative figure for this project's machine class (2 cores, Node 20:
 * x86-compare runs at 3.3M events/s on one thread, fleet at 2.5M).
 */
export const EVENTS_PER_SECOND_PER_SHARD = 2e6;
/** Building one engine instance, per vCPU (measured 12.5 µs at 120k vCPUs); every shard builds every scheme's. */
export const SETUP_SECONDS_PER_VCPU = 25e-6;

const fmt = (x: number) => (x >= 1e4 ? x.toExponential(1) : String(Math.round(x)));

function formatDuration(sec: number): string {
  if (sec < 120) return `${Math.round(sec)} s`;
  if (sec < 7200) return `${Math.round(sec / 60)} min`;
  if (sec < 172_800) return `${(sec / 3600).toFixed(1)} h`;
  return `${(sec / 86_400).toFixed(1)} days`;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

export interface GuardOptions {
  /** Schemes simulated (the bare-metal reference included), or runs for a sweep. */
  runs: number;
  shards: number;
  cores: number;
  force: boolean;
  /** The machine's heap limit per thread and RAM, bytes (default: this process's V8 limit and the OS total). */
  machine?: { heapLimit: number; ram: number };
  /**
   * How many shared arenas the run holds at once — one per scheme lane (DESIGN §10) — asked only when the most it
   * could be (one per shard or per scheme run, whichever is fewer) would not fit. Absent: one.
   */
  arenas?: () => number;
}

/** Throws a ScenarioError (exit 2) when the run's estimate exceeds the machine; returns the estimate otherwise. */
export function checkResources(s: Scenario, o: GuardOptions) {
  const est = estimateRun(s, o.runs);
  if (o.force) return est;
  // Memory: every shard builds the whole topology on its own heap, and so does the main thread; all of them and the
  // run's shared arenas (one per scheme lane, outside every heap) share the process's RAM.
  const heapLimit = o.machine?.heapLimit ?? getHeapStatistics().heap_size_limit;
  const ram = o.machine?.ram ?? totalmem();
  const needWith = (arenas: number) => est.sharedBytes * arenas + est.bytesPerEngine * (o.shards + 1);
  const mostArenas = Math.max(1, Math.min(o.shards, o.runs));
  // Planning the lanes costs the partitioner's model per scheme: only when the answer can change the verdict.
  const arenas = o.arenas && needWith(mostArenas) > ram * 0.75 ? o.arenas() : 1;
  const need = needWith(arenas);
  if (est.bytesPerEngine > heapLimit * 0.75 || need > ram * 0.75) {
    const byQueues = est.queues * BYTES_PER_QUEUE > est.vcpus * BYTES_PER_VCPU;
    const field = byQueues ? 'scenario.devices' : est.largestVm.path;
    const what = byQueues ? `${est.queues} device queues` : `${est.vcpus} vCPUs`;
    const shared =
      arenas === 1
        ? `the ${gib(est.sharedBytes)} shared arena`
        : `${arenas} shared arenas of ${gib(est.sharedBytes)}, one per scheme lane`;
    throw new ScenarioError(
      `${field}: ${what} need ≈ ${gib(est.bytesPerEngine)} of heap per thread (${gib(need)} in all with ${o.shards} ` +
        `shard${o.shards === 1 ? '' : 's'} and ${shared}), more than ` +
        `this machine has (${gib(heapLimit)} heap per thread, ${gib(ram)} RAM); pass --force to run anyway`,
    );
  }
  const parallel = Math.max(1, Math.min(o.shards, o.cores));
  const rate = EVENTS_PER_SECOND_PER_SHARD * parallel;
  const wall = est.events / rate + o.runs * est.vcpus * SETUP_SECONDS_PER_VCPU;
  if (wall > RUN_BUDGET_SECONDS) {
    const top = est.contributors[0];
    const durSec = s.duration / 1e9;
    // Name what to change: the duration when it is long, else the biggest source of events.
    const field = durSec > 60 || !top ? 'scenario.duration' : top.path;
    const share = top ? ` (${Math.round((100 * top.eventsPerSecond) / est.eventsPerSecond)} % from ${top.path})` : '';
    throw new ScenarioError(
      `${field}: the run needs ≈ ${fmt(est.events)} events (${o.runs} runs × ${durSec} s simulated × ` +
        `${fmt(est.eventsPerSecond)} events/s${share}), ≈ ${formatDuration(wall)} at ~${fmt(rate)} events/s here, ` +
        `over the ${formatDuration(RUN_BUDGET_SECONDS)} limit; shorten the run or lower the rate, or pass --force`,
    );
  }
  return est;
}
