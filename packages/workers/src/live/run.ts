// Live mode (docs/live.md, DESIGN §13): the delivery structures of a scenario exercised by real threads on this
// machine — poster threads raise the scenario's interrupts into posted-interrupt descriptors (x86) or list registers
// (ARM) in a SharedArrayBuffer while vCPU threads take them, under the wall clock — and, in the same threads,
// alternating with it in A B B A segments (same thread split, same sources and drive, a buffer of its own), into
// plain SPSC rings (core/src/mem/spsc-ring.ts, one per vCPU, a record per interrupt): the baseline. The orchestrator
// starts the threads once, runs the segments (each ends cleanly: posters stop, then the vCPU threads drain), stops
// the run (time-out, stop(), a failing thread), audits every structure at the end (raised = delivered + coalesced +
// pending, nothing lost, nothing stranded) and merges the per-thread log-linear histograms exactly.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  IVSIM_VERSION,
  type LatencySummary,
  type Scenario,
  type ScenarioInput,
  type SchemeResult,
  validateScenario,
} from '@ivsim/core';
import {
  LogLinearHistogram,
  PID_CONTROL,
  PID_ON,
  PID_SN,
  SpscRing,
  toHdr,
  withSyncCompiledThreads,
} from '@ivsim/core/internal';
import {
  CNT_BLOCKS,
  CNT_DELIVERED,
  CNT_RAISED,
  CNT_SN_TOGGLES,
  CNT_VIOLATIONS,
  CTL_STOP_POST,
  CTL_STOP_VCPU,
  doorIndex,
  type Layout,
  LR_OFF,
  layoutFor,
  RING_CAPACITY,
  RING_WORDS,
  ringOffset,
  SLOTS,
  THREAD_F64,
  vcpuBase,
} from './layout.ts';
import { lrLiveHasPending } from './lr-live.ts';
import { type MachineLoad, machineSampler } from './machine.ts';
import { piLiveReset } from './pi-live.ts';
import { type LivePlan, livePlan } from './plan.ts';
import {
  type LiveDrive,
  type LiveVariants,
  MAX_POSTERS,
  type PhaseMode,
  SEG_PHASE,
  SEG_SEQ,
  SEG_WORDS,
  type ThreadInit,
  type ThreadResult,
  wakePosters,
} from './protocol.ts';

/** Options of a live run (LiveRun, runLive); only `seconds` is required. */
export interface LiveOptions {
  /** Wall-clock seconds to run each structure (the scenario's and the SPSC baseline, alternating in segments). */
  seconds: number;
  /** Threads in all (posters = ⌊threads/2⌋, the rest run vCPUs); default one per core, at least 2. */
  threads?: number;
  /** Multiplies every arrival rate of the scenario (drive `paced`). */
  rateScale?: number;
  /**
   * How posters raise (protocol.ts LiveDrive): `max` (one in flight per source, as fast as the structure delivers),
   * `paced` (the arrival processes × rateScale), `saturate` (back to back). Default: `paced` if rateScale is given,
   * else `max`.
   */
  drive?: LiveDrive;
  /** Saturate mode: rounds over the poster's sources per clock read (default 16). */
  batch?: number;
  /** Idle spin of a vCPU thread before it blocks, µs (default 50). */
  spinUs?: number;
  /** Also run the SPSC-ring baseline, alternating with the scenario's structure (default: true, false in closed loop). */
  baseline?: boolean;
  /**
   * PI churn, mean interval µs (0 = off): vCPUs are descheduled (SN = 1, not serviced) and reloaded (SN = 0, ON if
   * PIR ≠ ∅) at random, and vCPU threads block with NV = wake-up vector about every 8 intervals, while posts go on.
   */
  churnUs?: number;
  /** Seed of the posters' arrival draws and churn (default: the scenario's seed); the wall clock is not seeded. */
  seed?: number;
  /** Called every `progressMs` while the run goes on. */
  onProgress?: (p: LiveProgress) => void;
  /** Interval of onProgress calls, ms (default 1000; 20 with stopOnViolation). */
  progressMs?: number;
  // ---- test hooks (not on the CLI) ----
  /** Deliberately broken protocol variants (pi-live.ts / lr-live.ts). */
  variant?: Partial<LiveVariants>;
  /** Checker mode: one outstanding interrupt per source, with stranded/lost verdicts. */
  closedLoop?: boolean;
  /** End the run at the first violation a checker reports. */
  stopOnViolation?: boolean;
  /** Make thread `thread` throw `afterMs` after it started. */
  fault?: { thread: number; afterMs: number };
}

/** A structure live mode drives: the PI descriptor (x86), ICH_LR list registers (ARM), or the SPSC-ring baseline. */
export type LiveStructure = 'pi-descriptor' | 'ich-lr' | 'spsc-ring';

/** A live run's progress (LiveRun.progress, LiveOptions.onProgress); counts since the run started. */
export interface LiveProgress {
  /** The structure being measured now (the last one measured once the run is over). */
  structure: LiveStructure;
  /** Segments started so far, and in all (the structures alternate A B B A …). */
  segment: number;
  /** Segments in all. */
  segments: number;
  /** Wall seconds measured so far, all structures together, out of `seconds` × structures. */
  elapsedSeconds: number;
  /** `seconds` × structures. */
  totalSeconds: number;
  /** Per structure. */
  seconds: number;
  /** The current structure's totals so far. */
  raised: number;
  /** Deliveries (handler entries) of the current structure so far. */
  delivered: number;
  /** Per structure measured so far, in phase order. */
  structures: { structure: LiveStructure; seconds: number; raised: number; delivered: number }[];
  /** Checker verdicts so far (closed loop; 0 otherwise). */
  violations: number;
  /** vCPU-thread blocks (Atomics.wait on the doorbell) so far. */
  blocks: number;
  /** SN toggles so far (churn mode). */
  snToggles: number;
}

/** One structure's totals in a live run. */
export interface StructureSummary {
  /** Interrupts posted. */
  raised: number;
  /** Distinct deliveries (handler entries). */
  delivered: number;
  /** Posts merged into an already-pending bit. */
  coalesced: number;
  /** Still pending at the end. */
  pending: number;
  /** Post → harvest latency, ns. */
  latencyNs: LatencySummary;
}

/** Protocol failures a live run found: all zero for a correct protocol. */
export interface LiveViolations {
  /** Checker verdicts (closed loop): an interrupt raised that nothing would ever deliver. */
  verdicts: number;
  /** End-of-run audit: PIR bits left with ON = SN = 0, or SPSC records left after the final drain. */
  stranded: number;
  /** End-of-run audit: instances posted but neither delivered nor pending. */
  lost: number;
  /** End-of-run audit: deliveries beyond the instances posted. */
  duplicated: number;
}

/** One structure's entry in LiveResults.schemes: the shape of a SchemeResult where one applies. */
export interface LiveSchemeResult {
  /** x86-apicv-pi / arm-gicv3, or spsc-queue for the baseline. */
  scheme: string;
  /** The same shape as `ivsim run`'s (raisedBySource: every live source is a device). */
  interrupts: SchemeResult['interrupts'];
  /** raised = delivered + coalesced + pending held; completed deliveries. */
  conservation: { ok: boolean; completed: number };
  /** delivery: post → harvest, ns; sourceLag: how late posters raised against their schedule, ns. */
  latencyNs: { delivery: LatencySummary; sourceLag: LatencySummary };
  /** The delivery histogram, ns, HdrHistogram compressed base64. */
  histograms: { delivery: string };
  /** The one structure this entry measured. */
  structures: Record<string, StructureSummary>;
  /** Live-mode figures of this structure: rates per wall-clock second, wake-ups, blocks, violations. */
  live: {
    structure: LiveStructure;
    wallSeconds: number;
    /** Posts per second: every interrupt a device raised, coalesced or not (the "interrupts raised"). */
    raisedPerSecond: number;
    /** Distinct deliveries (handler entries) per second. */
    deliveredPerSecond: number;
    /** PI: notifications sent (ON 0 → 1); LR: LR fills; SPSC: ring publications (one Atomics.store each). */
    notifications: number;
    wakeups: number;
    /** vCPU-thread blocks (HLT / WFI: Atomics.wait on the doorbell). */
    blocks: number;
    /** Drive max: poster waits (every source in flight for spinUs; woken by the next delivery). */
    posterWaits: number;
    snToggles: number;
    violations: LiveViolations;
  };
}

/** The results of a live run (`ivsim live --json`): wall-clock measurements, not a pure function of the seed. */
export interface LiveResults {
  /** The ivsim version. */
  ivsim: string;
  /** The scenario's name. */
  scenario: string;
  /** The seed of the posters' draws. */
  seed: number;
  /** Always 'wall': times are real, not virtual. */
  clock: 'wall';
  /** Threads, cores and rates of the run (results JSON's engine shape, plus the thread split). */
  engine: {
    shards: number;
    threads: { posters: number; vcpus: number };
    cores: number;
    /** Over all phases. */
    wallSeconds: number;
    events: number;
    simulatedInterrupts: number;
    interruptsPerSecond: number;
    eventsPerSecond: number;
  };
  /** How the run was driven and what it found: structures, segments, drive, the machine's load, violations. */
  live: {
    /** The scenario's structure (schemes[0]); `structures` lists every phase measured, in order. */
    structure: 'pi-descriptor' | 'ich-lr';
    structures: LiveStructure[];
    /** Per structure. */
    seconds: number;
    /** Segments run (structures alternate A B B A … in the same threads). */
    segments: number;
    stoppedBy: string;
    drive: LiveDrive;
    closedLoop: boolean;
    rateScale: number;
    batch: number;
    churnUs: number;
    offeredPerSecond: number;
    vcpus: number;
    sources: number;
    listRegs?: number;
    spscRing?: { capacity: number; recordWords: number; rings: number };
    /** Summed over the structures. */
    violations: LiveViolations;
    /** The machine while the structures ran (load average, busy cores: this run's and other processes'). */
    machine: MachineLoad;
    ignored: string[];
  };
  /** The scenario's structure first, then the SPSC baseline when it ran. */
  schemes: LiveSchemeResult[];
}

/** A live thread failed (threw, or died); `thread` is its index, the message carries its error. */
export class LiveFailure extends Error {
  constructor(
    readonly thread: number,
    cause: string,
  ) {
    super(`live thread ${thread} failed: ${cause}`);
    this.name = 'LiveFailure';
  }
}

const workerFile = new URL('./worker.js', import.meta.url);
const STOP_GRACE_MS = 1000;
/** Target length of one segment when two structures alternate. */
const SEGMENT_S = 0.5;

const NO_VARIANTS: LiveVariants = { post: 0, harvest: 0, eoi: 0, reload: 0, raceSpins: 0 };

const STRUCTURE: Record<PhaseMode, LiveStructure> = { pi: 'pi-descriptor', lr: 'ich-lr', spsc: 'spsc-ring' };

interface Phase {
  mode: PhaseMode;
  index: number;
  layout: Layout;
  sab: SharedArrayBuffer;
  m: Int32Array;
  f: Float64Array;
  /** Wall time measured in this phase's segments, ms, and how many ran. */
  wallMs: number;
  segments: number;
}

/**
 * The run's segments: with one structure, one segment of `seconds`; with two, n ≈ seconds / 0.5 segments each,
 * in A B B A order, so that both structures see the same threads and, on average, the same machine load.
 */
export function liveSchedule(phases: number, seconds: number): { phase: number; seconds: number }[] {
  if (phases === 1) return [{ phase: 0, seconds }];
  const n = Math.max(1, Math.round(seconds / SEGMENT_S));
  return Array.from({ length: 2 * n }, (_, i) => ({ phase: [0, 1, 1, 0][i % 4], seconds: seconds / n }));
}

/**
 * A live run: the scenario's delivery structure (x86: the posted-interrupt descriptor; ARM: ICH_LR list registers)
 * driven by real threads over a SharedArrayBuffer under the wall clock, alternating with an SPSC-ring baseline in
 * the same threads (docs/live.md). Construct, then `run()`; `progress()` and `stop()` work meanwhile.
 *
 * @throws {@link ScenarioError} (constructor) for a bad scenario; RangeError for `seconds` ≤ 0 or > 64 threads.
 */
export class LiveRun {
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** What the run takes from the scenario: sources, threads, and what it ignores. */
  readonly plan: LivePlan;
  /** Threads in all (posters + vCPU threads). */
  readonly threads: number;
  /** How posters raise. */
  readonly drive: LiveDrive;
  private readonly phases: PhaseMode[];
  private readonly schedule: { phase: number; seconds: number }[];
  private state: Phase[] = [];
  /** The phase of the running segment (-1 between segments), when it started, and segments started. */
  private current = -1;
  private segStart = 0;
  private segIndex = 0;
  private last = 0;
  private workers: Worker[] = [];
  private alive = 0;
  private stopReason: string | null = null;
  private wake: (() => void) | null = null;

  constructor(
    input: ScenarioInput | Scenario,
    private readonly opts: LiveOptions,
  ) {
    this.scenario = validateScenario(input);
    if (!(opts.seconds > 0)) throw new RangeError(`seconds must be > 0, got ${opts.seconds}`);
    this.threads = Math.max(2, opts.threads ?? availableParallelism());
    if (this.threads > 2 * MAX_POSTERS)
      throw new RangeError(`threads: at most ${2 * MAX_POSTERS}, got ${this.threads}`);
    this.drive = opts.drive ?? (opts.rateScale !== undefined ? 'paced' : 'max');
    this.plan = livePlan(this.scenario, this.threads, opts.rateScale ?? 1);
    const baseline = opts.baseline ?? !opts.closedLoop;
    if (baseline && opts.closedLoop) throw new RangeError('the closed-loop checker has no SPSC baseline phase');
    this.phases = baseline ? [this.plan.mode, 'spsc'] : [this.plan.mode];
    this.schedule = liveSchedule(this.phases.length, opts.seconds);
  }

  /** Ends the run early (Ctrl-C, SIGTERM, a caller's deadline); run() then resolves with what was measured. */
  stop(reason = 'stop'): void {
    if (this.stopReason === null) this.stopReason = reason;
    this.wake?.();
  }

  /** Worker threads not yet exited. */
  liveThreads(): number {
    return this.alive;
  }

  /** Progress so far, read from shared memory (costs the threads nothing). */
  progress(): LiveProgress {
    const p = this.plan;
    const t = performance.now();
    const structures: LiveProgress['structures'] = [];
    let violations = 0;
    let blocks = 0;
    let snToggles = 0;
    for (const ph of this.state) {
      let raised = 0;
      let delivered = 0;
      for (let k = 0; k < p.posters + p.vcpuThreads; k++) {
        const o = ph.layout.counters + k * THREAD_F64;
        raised += ph.f[o + CNT_RAISED];
        delivered += ph.f[o + CNT_DELIVERED];
        violations += ph.f[o + CNT_VIOLATIONS];
        blocks += ph.f[o + CNT_BLOCKS];
        snToggles += ph.f[o + CNT_SN_TOGGLES];
      }
      const ms = ph.wallMs + (this.current === ph.index ? t - this.segStart : 0);
      structures.push({ structure: STRUCTURE[ph.mode], seconds: ms / 1000, raised, delivered });
    }
    const cur = structures[this.current >= 0 ? this.current : this.last] ?? {
      structure: STRUCTURE[this.phases[0]],
      raised: 0,
      delivered: 0,
    };
    return {
      structure: cur.structure,
      segment: this.segIndex,
      segments: this.schedule.length,
      elapsedSeconds: structures.reduce((a, x) => a + x.seconds, 0),
      totalSeconds: this.opts.seconds * this.phases.length,
      seconds: this.opts.seconds,
      raised: cur.raised,
      delivered: cur.delivered,
      structures,
      violations,
      blocks,
      snToggles,
    };
  }

  /**
   * Runs every segment (or until stop()); resolves with the results, an audit of nothing lost or duplicated
   * included. Rejects with {@link LiveFailure} when a thread fails; the other threads are stopped first.
   */
  async run(): Promise<LiveResults> {
    const t0 = performance.now();
    const machine = machineSampler();
    const p = this.plan;
    const o = this.opts;
    const nThreads = p.posters + p.vcpuThreads;
    this.state = this.phases.map((mode, index) => {
      const layout = layoutFor(p.vcpus, nThreads, mode === 'spsc');
      const sab = new SharedArrayBuffer(layout.bytes);
      const m = new Int32Array(sab);
      if (mode === 'pi') for (let v = 0; v < p.vcpus; v++) piLiveReset(m, vcpuBase(v), v);
      if (mode === 'spsc')
        for (let v = 0; v < p.vcpus; v++) SpscRing.format(sab, ringOffset(layout, v), RING_CAPACITY, RING_WORDS);
      return { mode, index, layout, sab, m, f: new Float64Array(sab), wallMs: 0, segments: 0 };
    });
    const ctlSab = new SharedArrayBuffer(SEG_WORDS * 4);
    const ctl = new Int32Array(ctlSab);
    const baseNs = Number(process.hrtime.bigint());
    const variants = { ...NO_VARIANTS, ...o.variant };
    const inits: ThreadInit[] = [];
    for (let k = 0; k < nThreads; k++) {
      const poster = k < p.posters;
      const idx = poster ? k : k - p.posters;
      const src = poster ? p.sources.filter((s) => s.poster === idx) : [];
      const vcpuList = poster ? [] : [...Array(p.vcpus).keys()].filter((v) => p.vcpuThread[v] === idx);
      inits.push({
        role: poster ? 'poster' : 'vcpu',
        index: idx,
        thread: k,
        phases: this.state.map((ph) => ({ mode: ph.mode, sab: ph.sab, layout: ph.layout })),
        ctl: ctlSab,
        baseNs,
        nrLr: p.nrLr,
        variants,
        drive: this.drive,
        closedLoop: o.closedLoop ?? false,
        batch: o.batch ?? 16,
        spinNs: (o.spinUs ?? 50) * 1000,
        waitMs: o.closedLoop ? 1 : 20,
        churnNs: (o.churnUs ?? 0) * 1000,
        faultAfterMs: o.fault && o.fault.thread === k ? Math.max(1e-3, o.fault.afterMs) : 0,
        seed: (o.seed ?? this.scenario.seed) * 131 + k,
        srcVcpu: src.map((s) => s.vcpu),
        srcSlot: src.map((s) => s.slot),
        srcVector: src.map((s) => s.vector),
        srcMeanNs: src.map((s) => s.meanNs),
        srcPeriodic: src.map((s) => s.periodic),
        srcDoor: src.map((s) => doorIndex(p.vcpuThread[s.vcpu])),
        vcpuList,
        vcpuVectors: vcpuList.map((v) =>
          p.sources
            .filter((s) => s.vcpu === v)
            .sort((a, b) => a.slot - b.slot)
            .map((s) => s.vector),
        ),
      });
    }

    let failure: { thread: number; message: string } | null = null;
    let terminated = false;
    const results: (ThreadResult[] | null)[] = new Array(nThreads).fill(null);
    const doneSeq = new Array<number>(nThreads).fill(0);
    const exited = new Array<boolean>(nThreads).fill(false);
    const listeners = new Set<() => void>();
    const changed = () => {
      for (const l of [...listeners]) l();
    };
    /** Resolves once threads [from, to) have finished segment `seq` (or exited). */
    const segDone = (from: number, to: number, seq: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          for (let k = from; k < to; k++) if (!exited[k] && doneSeq[k] < seq) return;
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
      });
    const ready: Promise<void>[] = [];
    const finished: Promise<void>[] = [];
    this.workers = [];
    for (let k = 0; k < nThreads; k++) {
      // Optimising on its own thread: see core mem/worker-isolates.ts.
      const w = withSyncCompiledThreads(
        () => new Worker(workerFile, { workerData: inits[k] }),
        (t) => [t],
      );
      this.workers.push(w);
      this.alive++;
      let onReady: () => void = () => {};
      ready.push(new Promise<void>((r) => (onReady = r)));
      finished.push(
        new Promise<void>((resolve) => {
          w.on('message', (msg: { ready?: boolean; segmentDone?: number; results?: ThreadResult[] }) => {
            if (msg.ready) onReady();
            if (msg.segmentDone !== undefined) doneSeq[k] = msg.segmentDone;
            if (msg.results) results[k] = msg.results;
            changed();
          });
          w.on('error', (e: Error) => {
            if (!failure) failure = { thread: k, message: e.message };
            onReady();
            this.stop('failure');
          });
          w.on('exit', () => {
            this.alive--;
            exited[k] = true;
            onReady();
            if (!results[k] && !failure && !terminated) failure = { thread: k, message: 'exited without a result' };
            changed();
            resolve();
          });
        }),
      );
    }
    const ringAll = (m: Int32Array) => {
      for (let k = 0; k < p.vcpuThreads; k++) {
        Atomics.add(m, doorIndex(k), 1);
        Atomics.notify(m, doorIndex(k));
      }
    };
    const stopAll = () => {
      for (const ph of this.state) {
        Atomics.store(ph.m, CTL_STOP_POST, 1);
        Atomics.store(ph.m, CTL_STOP_VCPU, 1);
        ringAll(ph.m);
      }
      wakePosters(ctl);
      Atomics.store(ctl, SEG_PHASE, -1);
      Atomics.add(ctl, SEG_SEQ, 1);
      Atomics.notify(ctl, SEG_SEQ);
    };
    const tick = setInterval(
      () => {
        const pr = this.progress();
        if (o.stopOnViolation && pr.violations > 0) this.stop('violation');
        o.onProgress?.(pr);
      },
      o.progressMs ?? (o.stopOnViolation ? 20 : 1000),
    );
    try {
      await Promise.all(ready);
      machine.start();
      for (const seg of this.schedule) {
        if (this.stopReason !== null || failure) break;
        const ph = this.state[seg.phase];
        Atomics.store(ph.m, CTL_STOP_POST, 0);
        Atomics.store(ph.m, CTL_STOP_VCPU, 0);
        let wake: () => void = () => {};
        const stopped = new Promise<void>((r) => (wake = r));
        this.wake = wake;
        this.current = seg.phase;
        this.last = seg.phase;
        this.segIndex++;
        this.segStart = performance.now();
        Atomics.store(ctl, SEG_PHASE, seg.phase);
        const seq = Atomics.add(ctl, SEG_SEQ, 1) + 1;
        Atomics.notify(ctl, SEG_SEQ);
        const timer = setTimeout(wake, seg.seconds * 1000);
        if (this.stopReason !== null) wake();
        await stopped;
        clearTimeout(timer);
        this.wake = null;
        // Posters first; once they have stopped the vCPU threads make their final drain pass.
        Atomics.store(ph.m, CTL_STOP_POST, 1);
        wakePosters(ctl);
        ph.wallMs += performance.now() - this.segStart;
        ph.segments++;
        this.current = -1;
        const deadline = performance.now() + STOP_GRACE_MS;
        if (!failure) await withDeadline(segDone(0, p.posters, seq), deadline);
        Atomics.store(ph.m, CTL_STOP_VCPU, 1);
        ringAll(ph.m);
        if (!(await withDeadline(segDone(0, nThreads, seq), deadline)) && !failure)
          failure = { thread: -1, message: `threads did not stop within ${STOP_GRACE_MS} ms` };
      }
      clearInterval(tick);
      if (!failure) o.onProgress?.(this.progress()); // the run's last progress line
      stopAll();
      const allDone = await withDeadline(Promise.all(finished), performance.now() + STOP_GRACE_MS);
      if (!allDone) {
        if (!failure) failure = { thread: -1, message: `threads did not stop within ${STOP_GRACE_MS} ms` };
        terminated = true;
        await Promise.all(this.workers.map((w) => w.terminate()));
        await Promise.all(finished);
      }
      if (failure) {
        const fl = failure as { thread: number; message: string };
        throw new LiveFailure(fl.thread, fl.message);
      }
      const m = machine.end();
      const entries = this.state
        .filter((ph) => ph.segments > 0)
        .map((ph) =>
          this.assemble(
            ph,
            results.map((r) => (r as ThreadResult[])[ph.index]),
            ph.wallMs / 1000,
          ),
        );
      return this.results(entries, (performance.now() - t0) / 1000, m);
    } finally {
      clearInterval(tick);
      this.wake = null;
      this.current = -1;
      stopAll();
      if (this.alive > 0) {
        terminated = true;
        await Promise.all(this.workers.map((w) => w.terminate()));
        await Promise.all(finished);
      }
    }
  }

  /** The audit of one phase and its merged histograms. */
  private assemble(ph: Phase, res: ThreadResult[], wall: number): LiveSchemeResult {
    const p = this.plan;
    const { m, layout } = ph;
    const deliveryH = new LogLinearHistogram();
    const lagH = new LogLinearHistogram();
    let notifications = 0;
    let wakeups = 0;
    let blocks = 0;
    let posterWaits = 0;
    let snToggles = 0;
    let verdicts = 0;
    let raised = 0;
    let coalesced = 0;
    let delivered = 0;
    let pending = 0;
    let stranded = 0;
    let lost = 0;
    let duplicated = 0;
    const bySource = { device: 0, ipi: 0, guestTimer: 0, resched: 0, tlbShootdown: 0 };
    // SPSC: records still in each ring after the final drain, per (vCPU, slot). The vCPU thread drained after the
    // posters' last publication, so any record left is stranded (and also counted pending for the balance).
    const inRing = new Map<number, number>();
    if (ph.mode === 'spsc')
      for (let v = 0; v < p.vcpus; v++) {
        const rg = SpscRing.fromBuffer(ph.sab, ringOffset(layout, v));
        const n = rg.available();
        for (let q = 0; q < n; q++) {
          const key = v * SLOTS + rg.data[rg.offsetAt(q)];
          inRing.set(key, (inRing.get(key) ?? 0) + 1);
        }
        stranded += n;
      }
    for (const r of res) {
      const h = new LogLinearHistogram(new Float64Array(r.hist.counts));
      h.count = r.hist.count;
      h.sum = r.hist.sum;
      h.min = r.hist.min;
      h.max = r.hist.max;
      (r.role === 'vcpu' ? deliveryH : lagH).add(h);
      notifications += r.notifications;
      wakeups += r.wakeups;
      if (r.role === 'vcpu') blocks += r.blocks;
      else posterWaits += r.blocks;
      snToggles += r.snToggles;
      verdicts += r.violations;
      if (r.role !== 'poster') continue;
      const srcs = p.sources.filter((x) => x.poster === res.indexOf(r));
      srcs.forEach((src, i) => {
        raised += r.srcRaised[i];
        coalesced += r.srcCoalesced[i];
        bySource[src.kind] += r.srcRaised[i];
        const b = vcpuBase(src.vcpu);
        const got = m[layout.delivered + src.vcpu * SLOTS + src.slot];
        let pend = 0;
        if (ph.mode === 'pi') {
          const bit = (m[b + (src.vector >>> 5)] >>> (src.vector & 31)) & 1;
          pend = bit;
          if (bit && (m[b + PID_CONTROL] & (PID_ON | PID_SN)) === 0) stranded++;
        } else if (ph.mode === 'lr') {
          pend = (lrLiveHasPending(m, b + LR_OFF, p.nrLr, src.vector) ? 1 : 0) + r.srcOverflow[i];
        } else {
          pend = (inRing.get(src.vcpu * SLOTS + src.slot) ?? 0) + r.srcOverflow[i];
        }
        delivered += got;
        pending += pend;
        const d = r.srcPosted[i] - got - pend;
        if (d > 0) lost += d;
        else duplicated -= d;
      });
    }
    const ok = raised === delivered + coalesced + pending && lost === 0 && duplicated === 0 && stranded === 0;
    const dh = toHdr(deliveryH, 1);
    const lh = toHdr(lagH, 1);
    const structure = STRUCTURE[ph.mode];
    return {
      scheme: ph.mode === 'spsc' ? 'spsc-queue' : p.scheme,
      interrupts: { raised, delivered, coalesced, pending, raisedBySource: bySource },
      conservation: { ok: ok && verdicts === 0, completed: delivered },
      latencyNs: { delivery: dh.summary, sourceLag: lh.summary },
      histograms: { delivery: dh.base64 },
      structures: { [structure]: { raised, delivered, coalesced, pending, latencyNs: dh.summary } },
      live: {
        structure,
        wallSeconds: round3(wall),
        raisedPerSecond: Math.round(raised / wall),
        deliveredPerSecond: Math.round(delivered / wall),
        notifications,
        wakeups,
        blocks,
        posterWaits,
        snToggles,
        violations: { verdicts, stranded, lost, duplicated },
      },
    };
  }

  private results(entries: LiveSchemeResult[], wall: number, machine: MachineLoad): LiveResults {
    const p = this.plan;
    const s = this.scenario;
    const o = this.opts;
    const raised = entries.reduce((a, e) => a + e.interrupts.raised, 0);
    const violations: LiveViolations = { verdicts: 0, stranded: 0, lost: 0, duplicated: 0 };
    for (const e of entries)
      for (const k of Object.keys(violations) as (keyof LiveViolations)[]) violations[k] += e.live.violations[k];
    const offered = p.sources.reduce((a, x) => a + 1e9 / x.meanNs, 0);
    return {
      ivsim: IVSIM_VERSION,
      scenario: s.name,
      seed: o.seed ?? s.seed,
      clock: 'wall',
      engine: {
        shards: this.threads,
        threads: { posters: p.posters, vcpus: p.vcpuThreads },
        cores: availableParallelism(),
        wallSeconds: round3(wall),
        events: raised,
        simulatedInterrupts: raised,
        interruptsPerSecond: Math.round(raised / wall),
        eventsPerSecond: Math.round(raised / wall),
      },
      live: {
        structure: p.mode === 'pi' ? 'pi-descriptor' : 'ich-lr',
        structures: entries.map((e) => e.live.structure),
        seconds: o.seconds,
        segments: this.segIndex,
        stoppedBy: this.stopReason ?? 'time',
        drive: this.drive,
        closedLoop: o.closedLoop ?? false,
        rateScale: o.rateScale ?? 1,
        batch: o.batch ?? 16,
        churnUs: o.churnUs ?? 0,
        offeredPerSecond: this.drive !== 'paced' || o.closedLoop ? 0 : Math.round(offered),
        vcpus: p.vcpus,
        sources: p.sources.length,
        ...(p.mode === 'lr' ? { listRegs: p.nrLr } : {}),
        ...(this.phases.includes('spsc')
          ? { spscRing: { capacity: RING_CAPACITY, recordWords: RING_WORDS, rings: p.vcpus } }
          : {}),
        violations,
        machine,
        ignored: p.ignored,
      },
      schemes: entries,
    };
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function withDeadline(p: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), Math.max(0, deadline - performance.now()));
  });
  const ok = await Promise.race([p.then(() => true), t]);
  clearTimeout(timer);
  return ok;
}

/**
 * Runs a scenario live for `opts.seconds` of wall time per structure: `new LiveRun(input, opts).run()`.
 *
 * @throws as LiveRun's constructor and run() do.
 */
export function runLive(input: ScenarioInput | Scenario, opts: LiveOptions): Promise<LiveResults> {
  return new LiveRun(input, opts).run();
}
