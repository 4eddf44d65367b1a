// The parallel runner: runs every scheme of a scenario with its vCPUs sharded over a piscina pool (one
// long-running task per shard, min = max threads, no idle timeout, one task per worker), the shards meeting at a
// SAB barrier between windows and exchanging cross-shard events through SAB rings. Results are merged exactly, so
// they equal the single-threaded `simulate()` whatever the shard count (DESIGN §4).
//
// The runner itself never blocks: shards write progress into a control SAB, any thread may read the vCPU arena
// (snapshots), and cancel() aborts the barrier, which every shard polls between windows.

import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  type Results,
  type Scenario,
  ScenarioError,
  type ScenarioInput,
  type SchemeId,
  validateScenario,
  withOverrides,
} from '@ivsim/core';
import {
  Arena,
  assembleResults,
  Barrier,
  ledgerStride,
  runParts,
  runsBare,
  type SchemeRun,
  SpscRing,
  schemePlan,
  VcpuLayout,
  wholeVmsReason,
} from '@ivsim/core/internal';
import type { Piscina } from 'piscina';
import {
  ABORT_CANCELLED,
  ABORT_FAILED,
  ABORTED_MESSAGE,
  CTL_CROSS,
  CTL_EVENTS,
  CTL_RAISED,
  CTL_SPILLED,
  CTL_STRIDE,
  CTL_VTIME,
  CTL_WINDOWS,
  controlBytes,
  REC_WORDS_PACKED,
  RING_CAPACITY,
  type ShardTask,
} from './protocol.ts';
import { RunPlanCache } from './run-plan-cache.ts';
import { type LanePlan, planLanesWith } from './scheme-lanes.ts';
import { checkPool, discardThreads, holdPool, type ShardPool, startThreads } from './shard-pool.ts';
import { readVcpuSnapshot, type VcpuSnapshot } from './snapshot.ts';
import { mergeCounters, type ShardResult } from './wire.ts';

/** Options of a parallel run (ParallelRun, runParallel); each overrides the scenario's own value for this run. */
export interface RunOptions {
  /**
   * Worker threads; default the scenario's engine.shards, else the pool's threads, else one per core. Capped at the
   * number of pCPUs.
   */
  shards?: number;
  /**
   * Threads kept between runs (a {@link ShardPool}): the run uses them and leaves them running, so the next run on
   * the pool skips starting threads and compiling the engine again. Made on the thread that runs the run (a pool
   * cannot be sent to another thread, such as connectControl's). Default: the run starts its own and ends them.
   */
  pool?: ShardPool;
  /** Report only these schemes (as SimulateOptions.schemes: bare-metal still runs as the reference). */
  schemes?: SchemeId[];
  /** Run seed, an integer 0..2^53 − 1 (default: the scenario's). */
  seed?: number;
  /** Virtual duration override (ns). */
  durationNs?: number;
  /** Test hook: make shard `shard` throw at virtual time `atNs`. */
  fault?: { shard: number; atNs: number };
  /** Slots per cross-shard ring (power of two). Tests shrink it to force spilling. */
  ringCapacity?: number;
}

/** What the synchronization did during the last run (all schemes). */
export interface SyncStats {
  /** Synchronization windows (barrier rounds). */
  windows: number;
  /** Events that crossed shards (IPIs between vCPUs of a VM split across shards). */
  crossEvents: number;
  /** Cross-shard records that did not fit their ring and spilled (none lost). */
  spilled: number;
}

/** A parallel run's progress (ParallelRun.progress), read from shared memory. */
export interface Progress {
  /** The scheme running now (null before the first and after the last). */
  scheme: SchemeId | null;
  /** Its 0-based index among the schemes run. */
  schemeIndex: number;
  /** Schemes to run, bare-metal included. */
  schemes: number;
  /** Fraction of the whole run (all schemes) done, 0..1. */
  fraction: number;
  /** Engine events processed so far, the current scheme, all shards. */
  events: number;
  /** Interrupts raised so far, the current scheme. */
  raised: number;
  /** Shards of the run. */
  shards: number;
  /** Synchronization windows so far. */
  windows: number;
  /** Events that crossed shards so far. */
  crossEvents: number;
  /** Cross-shard records that did not fit their ring inside a window (they spilled, nothing was lost). */
  spilled: number;
}

/** The run was cancelled (ParallelRun.cancel, Ctrl-C in the CLI). */
export class RunCancelled extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'RunCancelled';
  }
}

/** A shard failed; `message` carries the shard's own error message. */
export class ShardFailure extends Error {
  constructor(
    readonly shard: number,
    cause: string,
  ) {
    super(`shard ${shard} failed: ${cause}`);
    this.name = 'ShardFailure';
  }
}

/**
 * After cancel() or a shard failure, how long the other shards get to return on their own (they poll the abort
 * flag between windows and chunks) before the pool is destroyed under them — a shard busy inside one long chunk is
 * out of reach of the flag, never of the deadline (DESIGN §14).
 */
export const STOP_GRACE_MS = 300;

/**
 * A scenario sharded over worker threads (DESIGN §4, §10): each shard owns whole pCPUs with their vCPUs and
 * devices; the results equal simulate()'s byte for byte outside `engine`, for any shard count. Construct, then
 * `run()`; progress(), snapshot() and cancel() work meanwhile.
 *
 * @throws {@link ScenarioError} (constructor) when the scenario or an option is invalid.
 */
export class ParallelRun {
  /** The validated scenario, with the options' seed and duration applied. */
  readonly scenario: Scenario;
  /** Shards (worker threads) the run uses. */
  readonly shards: number;
  /** How the scheme runs share the shards (scheme-lanes.ts): one lane of all shards unless lanes pay. */
  readonly lanes: LanePlan;
  private readonly plan: { run: SchemeId[]; report: SchemeId[] };
  private readonly control: SharedArrayBuffer;
  private readonly ctl: Float64Array;
  /** Per lane: the barrier and the vCPU arena of the scheme it runs now (null between runs and after the run). */
  private readonly barriers: (SharedArrayBuffer | null)[];
  private readonly arenas: (SharedArrayBuffer | null)[];
  /** Ledger slots per vCPU block of the arenas (their stride, ledgerStride; the same for every scheme). */
  private arenaLedgerSlots = 1;
  /** Where each region of a vCPU block of the arenas is (the run's declared regions; the snapshot reader needs it). */
  private arenaLayout = VcpuLayout.ALL;
  /** Per lane: the index (into plan.run) of the scheme it runs now, -1 when none. */
  private readonly running: Int32Array;
  /** Scheme runs finished so far. */
  private done = 0;
  /** The run's first failure (a ShardFailure of some lane), once there is one. */
  private failure: unknown = null;
  private cancelled = false;
  private pool: Piscina | null = null;
  /** What the synchronization did (all schemes so far). */
  readonly sync: SyncStats = { windows: 0, crossEvents: 0, spilled: 0 };
  private readonly durationCycles: number;
  /**
   * Topologies and partitions, built once for the whole run (run-plan-cache.ts): its topologies are held weakly until
   * run() starts and go when run() settles.
   */
  private readonly plans: RunPlanCache;
  /** Names this run in its shard tasks: a shard thread reuses a topology only within one run (shard-task.ts). */
  private readonly runId = randomUUID();

  constructor(
    input: ScenarioInput | Scenario,
    private readonly opts: RunOptions = {},
  ) {
    // Overrides go through the schema like the file's own values (a seed above 2^53, a duration of 0 cycles).
    const s = withOverrides(validateScenario(input), { seed: opts.seed, durationNs: opts.durationNs });
    this.scenario = s;
    this.plan = schemePlan(s, opts.schemes);
    if (opts.pool !== undefined) checkPool(opts.pool);
    const want = opts.shards ?? s.engine.shards ?? opts.pool?.threads ?? availableParallelism();
    if (opts.pool && want > opts.pool.threads)
      throw new ScenarioError(`shards: ${want} shards need more threads than the pool has (${opts.pool.threads})`);
    this.shards = Math.max(1, Math.min(want, s.host.pcpus));
    this.control = new SharedArrayBuffer(controlBytes(this.shards));
    this.ctl = new Float64Array(this.control);
    this.durationCycles = Math.round(s.duration * s.cpu.freqGHz);
    this.plans = new RunPlanCache(s);
    this.lanes = planLanesWith(this.plan.run, this.shards, this.plans);
    // Until run() takes them back, the planned topologies are only held weakly: a run never run keeps none alive.
    this.plans.holdWeakly();
    const L = this.lanes.lanes.length;
    this.barriers = new Array(L).fill(null);
    this.arenas = new Array(L).fill(null);
    this.running = new Int32Array(L).fill(-1);
  }

  /**
   * Runs every scheme; resolves with the results object. Rejects with {@link ShardFailure} (the first shard to
   * fail, in virtual time) or {@link RunCancelled}; either way every thread it started is gone when it settles (a
   * `pool`'s stay, unless the run had to end shards that would not stop).
   */
  async run(): Promise<Results> {
    const s = this.scenario;
    const n = this.shards;
    const shared = this.opts.pool ?? null;
    // The constructor's topologies, if still alive, are held for the whole run from here (before the first await).
    this.plans.takeBack();
    // A shared pool is held for the whole run (runs on one pool take turns); else the run starts its own threads.
    const held = shared ? await holdPool(shared) : null;
    const pool = held ? held.piscina : startThreads(n);
    this.pool = pool;
    this.destroying = null;
    const t0 = performance.now();
    const runs: SchemeRun[] = new Array(this.plan.run.length);
    let crossTraffic = false;
    this.failure = null;
    this.done = 0;
    this.running.fill(-1);
    try {
      const lanes = this.lanes.lanes.map(async (lane, l) => {
        try {
          for (const i of lane) {
            if (this.cancelled || this.failure !== null) return;
            this.running[l] = i;
            const r = await this.runScheme(pool, this.plan.run[i], l);
            this.running[l] = -1;
            this.done++;
            crossTraffic ||= r.crossTraffic;
            runs[i] = r.run;
          }
        } catch (e) {
          this.running[l] = -1;
          // The first failure that is not another lane's echo of it stops every other lane at its next window.
          if (this.failure === null && !this.cancelled && !isAbortEcho(e)) {
            this.failure = e;
            for (const b of this.barriers) if (b) Barrier.abortBuffer(b, ABORT_FAILED);
            this.armStopDeadline();
          }
        }
      });
      await Promise.all(lanes);
      if (this.cancelled) throw new RunCancelled();
      if (this.failure !== null) throw this.failure;
    } finally {
      if (this.stopTimer) clearTimeout(this.stopTimer);
      this.stopTimer = null;
      // A shared pool's threads stay for the next run, unless this one had to end them (stuck shards).
      if (held) {
        if (this.destroying) await this.destroying;
        held.release();
      } else await this.destroyPool(pool);
      this.pool = null;
      // The arena is 0.2 GB at 10^5 vCPUs: a finished run keeps none of it (snapshot() then answers null).
      this.arenas.fill(null);
      this.barriers.fill(null);
      // So is the topology (36 MiB at 10^5 vCPUs); a second run() builds it again.
      this.plans.releaseTopologies();
    }
    const wall = (performance.now() - t0) / 1000;
    const res = assembleResults(s, runs, this.plan.report, { shards: n, wallSeconds: wall });
    res.engine.partition = s.engine.partition;
    res.engine.crossShard = crossTraffic;
    res.engine.schemeLanes = this.lanes.lanes.length;
    return res;
  }

  /** One scheme run on lane `l`: its shards are threads of the pool, their control lines l·k … l·k + k − 1. */
  private async runScheme(
    pool: Piscina,
    scheme: SchemeId,
    l: number,
  ): Promise<{ run: SchemeRun; crossTraffic: boolean }> {
    const s = this.scenario;
    const n = this.lanes.shardsPerLane;
    // One arena layout for the whole run (the regions every scheme of the plan declares), so a lane's arena is reused.
    const arenaSchemes = this.plan.run;
    // The run's topology and partition (planLanes built most of them already, run-plan-cache.ts).
    const bare = runsBare(scheme);
    const { topo, layout } = runParts(s, scheme, arenaSchemes, this.plans.topology(bare));
    // Only IPIs and csd acknowledgements (DESIGN §16) cross shards; they take at least ipiLatency and
    // csdAckLatency to arrive: the smaller is the lookahead, which the partitioner weighs (DESIGN §10).
    // A scheme that reads another vCPU's state as its guest acts (x86-avic) keeps its VMs whole (DESIGN §10).
    const part = this.plans.partition(bare, wholeVmsReason(scheme) !== null, n);
    const lookahead = part.crossTraffic ? this.plans.lookahead : Number.POSITIVE_INFINITY;
    const barrier = Barrier.create(n).buffer;
    const rings: SharedArrayBuffer[] = [];
    for (let from = 0; from < n; from++)
      for (let to = 0; to < n; to++)
        rings.push(
          from === to || !part.crossTraffic
            ? new SharedArrayBuffer(0)
            : (SpscRing.create(this.opts.ringCapacity ?? RING_CAPACITY, REC_WORDS_PACKED).buffer as SharedArrayBuffer),
        );
    const stride = ledgerStride(topo.vms);
    const arena = this.arenaFor(l, Arena.bytes(topo.vcpus.length, stride, layout));
    this.barriers[l] = barrier;
    this.arenaLedgerSlots = stride;
    this.arenaLayout = layout;
    // cancel() or another lane's failure came while this run was being built: it stops at its first window.
    if (this.cancelled) Barrier.abortBuffer(barrier, ABORT_CANCELLED);
    else if (this.failure !== null) Barrier.abortBuffer(barrier, ABORT_FAILED);
    this.ctl.fill(0, l * n * CTL_STRIDE, (l + 1) * n * CTL_STRIDE);
    const fault = this.opts.fault
      ? { shard: this.opts.fault.shard, atCycles: Math.round(this.opts.fault.atNs * s.cpu.freqGHz) }
      : undefined;
    const tasks = Array.from({ length: n }, (_, shard) => {
      const task: ShardTask = {
        scenario: s,
        scheme,
        arenaSchemes,
        runId: this.runId,
        shard,
        shards: n,
        pcpuOwner: part.pcpuOwner,
        lookahead,
        barrier,
        rings,
        arena,
        control: this.control,
        controlLine: l * n + shard,
        cores: availableParallelism(),
        fault,
      };
      return pool.run(task) as Promise<ShardResult>;
    });
    // The first real failure in time (a shard ended by the stop deadline fails after it, with piscina's message).
    let first: { shard: number; error: unknown } | null = null;
    const settled = await Promise.allSettled(
      tasks.map((p, shard) =>
        p.catch((e: unknown) => {
          if (!first && !isAbortEcho(e)) first = { shard, error: e };
          // The first failure aborts the barrier so every other shard returns at its next window.
          Barrier.abortBuffer(barrier, ABORT_FAILED);
          this.armStopDeadline();
          throw e;
        }),
      ),
    );
    const failed = settled.findIndex((r) => r.status === 'rejected' && !isAbortEcho(r.reason));
    if (this.cancelled) throw new RunCancelled(); // includes shards ended by the stop deadline
    const f = first as { shard: number; error: unknown } | null;
    // A shard is named by its thread of the whole run (lane · shards per lane + shard), as the fault hook names it.
    const line = (shard: number) => l * n + shard;
    if (f) throw new ShardFailure(line(f.shard), errorMessage(f.error));
    if (failed >= 0)
      throw new ShardFailure(line(failed), errorMessage((settled[failed] as PromiseRejectedResult).reason));
    if (this.cancelled || Barrier.abortCodeOf(barrier) === ABORT_CANCELLED) throw new RunCancelled();
    // Only echoes are left: another lane failed and aborted this one.
    const anyRejected = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (anyRejected) throw new ShardFailure(line(settled.indexOf(anyRejected)), errorMessage(anyRejected.reason));
    const parts = settled.map((r) => (r as PromiseFulfilledResult<ShardResult>).value);
    const counters = mergeCounters(parts.map((p) => p.counters));
    const pending = parts.reduce((a, p) => a + p.pending, 0);
    this.sync.windows += Math.max(...parts.map((p) => p.windows));
    for (const p of parts) {
      this.sync.crossEvents += p.crossEvents;
      this.sync.spilled += p.spilled;
    }
    return { run: { scheme, counters, pending }, crossTraffic: part.crossTraffic };
  }

  /**
   * The vCPU arena of lane l's next scheme: its previous scheme's, zeroed, when it has the size (every scheme of a run
   * has the same vCPUs and VMs, so it always has), so a lane holds one arena however many schemes it runs — a new
   * one per scheme would keep two alive until the shards' threads collect their views of the old one.
   */
  private arenaFor(l: number, bytes: number): SharedArrayBuffer {
    const old = this.arenas[l];
    if (old !== null && old.byteLength === bytes) {
      new Uint8Array(old).fill(0);
      return old;
    }
    this.arenas[l] = null;
    const a = new SharedArrayBuffer(bytes);
    this.arenas[l] = a;
    return a;
  }

  /** The lane running the scheme earliest in the run list (the one progress() names), or -1. */
  private reportedLane(): number {
    let best = -1;
    for (let l = 0; l < this.running.length; l++)
      if (this.running[l] >= 0 && (best < 0 || this.running[l] < this.running[best])) best = l;
    return best;
  }

  /**
   * Progress read from the control SAB (no messages to the shards). With several lanes, `scheme` is the running
   * scheme earliest in the run list, `events` and `raised` add up every scheme running now.
   */
  progress(): Progress {
    const k = this.lanes.shardsPerLane;
    const ctl = this.ctl;
    let events = 0;
    let raised = 0;
    let windows = 0;
    let cross = 0;
    let spilled = 0;
    let within = 0;
    for (let l = 0; l < this.running.length; l++) {
      if (this.running[l] < 0) continue;
      let vmin = Number.POSITIVE_INFINITY;
      for (let j = 0; j < k; j++) {
        const o = (l * k + j) * CTL_STRIDE;
        vmin = Math.min(vmin, ctl[o + CTL_VTIME]);
        events += ctl[o + CTL_EVENTS];
        raised += ctl[o + CTL_RAISED];
        windows = Math.max(windows, ctl[o + CTL_WINDOWS]);
        cross += ctl[o + CTL_CROSS];
        spilled += ctl[o + CTL_SPILLED];
      }
      within += Math.min(1, vmin / this.durationCycles);
    }
    const total = this.plan.run.length;
    const lane = this.reportedLane();
    const idx = lane < 0 ? Math.min(this.done, total - 1) : this.running[lane];
    return {
      scheme: lane < 0 ? null : this.plan.run[idx],
      schemeIndex: idx,
      schemes: total,
      fraction: Math.min(1, (this.done + within) / total),
      events,
      raised,
      shards: this.shards,
      windows,
      crossEvents: cross,
      spilled,
    };
  }

  /** Architectural state of vCPU `v` of the scheme progress() names, read straight from its shared arena. */
  snapshot(v: number): VcpuSnapshot | null {
    const lane = this.reportedLane();
    const arena = lane < 0 ? null : this.arenas[lane];
    if (!arena) return null;
    const slots = this.arenaLedgerSlots;
    const layout = this.arenaLayout;
    const vcpus = arena.byteLength / Arena.bytes(1, slots, layout);
    if (!Number.isInteger(v) || v < 0 || v >= vcpus) throw new RangeError(`vcpu ${v} outside [0, ${vcpus})`);
    return readVcpuSnapshot(new Arena(vcpus, true, arena, slots, layout), v);
  }

  /** Worker threads currently alive in this run's pool (0 once run() has settled). */
  liveThreads(): number {
    return this.pool ? this.pool.threads.length : 0;
  }

  /** Stops every shard at its next window; run() then rejects with RunCancelled and the pool is destroyed. */
  cancel(): void {
    this.cancelled = true;
    for (const b of this.barriers) if (b) Barrier.abortBuffer(b, ABORT_CANCELLED);
    this.armStopDeadline();
  }

  private stopTimer: NodeJS.Timeout | null = null;
  private destroying: Promise<void> | null = null;

  /** Destroys the pool STOP_GRACE_MS from now unless the run has settled by then. */
  private armStopDeadline(): void {
    if (this.stopTimer || !this.pool) return;
    const pool = this.pool;
    this.stopTimer = setTimeout(() => void this.destroyPool(pool), STOP_GRACE_MS);
    this.stopTimer.unref();
  }

  private destroyPool(pool: Piscina): Promise<void> {
    this.destroying ??= this.opts.pool ? discardThreads(this.opts.pool, pool) : pool.destroy();
    return this.destroying;
  }
}

/**
 * A shard, or a lane's scheme run, that stopped only because another one failed or the run was cancelled: the
 * shard's own error, or the ShardFailure its lane's run made of it.
 */
function isAbortEcho(e: unknown): boolean {
  if (e instanceof ShardFailure) return e.message.endsWith(`: ${ABORTED_MESSAGE}`);
  return e instanceof Error && e.message === ABORTED_MESSAGE;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs a scenario on worker threads: `new ParallelRun(input, opts).run()`.
 *
 * @throws as ParallelRun's constructor and run() do (a rejected promise).
 */
export function runParallel(input: ScenarioInput | Scenario, opts: RunOptions = {}): Promise<Results> {
  return new ParallelRun(input, opts).run();
}
