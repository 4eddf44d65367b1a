// Live-mode thread entry (node:worker_threads). A poster thread raises the interrupts of its sources into the shared
// structures (pi-live.ts / lr-live.ts, or the SPSC-ring baseline: core/src/mem/spsc-ring.ts as it is, one ring per
// vCPU, a record per interrupt); a vCPU thread runs its vCPUs: it polls their descriptors / list registers / rings,
// takes what is there, and, after an idle spin, blocks in Atomics.wait until a poster rings its doorbell.
//
// Hot loops allocate nothing: state is typed arrays, histograms are LogLinearHistogram bucket arrays, the clock is
// performance.now() corrected to the orchestrator's hrtime base (one shared monotonic clock for every thread).
// Batching (stated in docs/live.md): a poster reads the clock once per batch and stamps every post of the batch
// with it; a vCPU thread reads it once per pass that delivered something.

import { parentPort, workerData } from 'node:worker_threads';
import { LogLinearHistogram, SpscRing } from '@ivsim/core/internal';
import {
  CNT_BLOCKS,
  CNT_COALESCED,
  CNT_DELIVERED,
  CNT_NOTIFY,
  CNT_RAISED,
  CNT_SN_TOGGLES,
  CNT_VIOLATIONS,
  CNT_WAKEUPS,
  CTL_EPOCH_OFF,
  CTL_STOP_POST,
  CTL_STOP_VCPU,
  doorIndex,
  epochIndex,
  LR_OFF,
  ringOffset,
  SLOTS,
  THREAD_F64,
  vcpuBase,
} from './layout.ts';
import { INJECT_COALESCED, INJECT_FULL, lrLiveAck, lrLiveEoi, lrLiveHasPending, lrLiveInject } from './lr-live.ts';
import {
  NO_NOTIFY,
  POSTED_INTR_VECTOR,
  POSTED_INTR_WAKEUP_VECTOR,
  piLiveHarvest,
  piLiveNextVector,
  piLiveOn,
  piLivePost,
  piLiveReload,
  piLiveSetNv,
  piLiveSetSn,
  piLiveStranded,
  pirTest,
  trySetOn,
} from './pi-live.ts';
import {
  type PhaseThreadInit,
  POSTER_WAIT_MS,
  posterDoor,
  SEG_PHASE,
  SEG_POSTERS_WAITING,
  SEG_SEQ,
  type ThreadInit,
  type ThreadResult,
  wakePosters,
} from './protocol.ts';
import { StrandJudge } from './strand-judge.ts';

const LR_PRIORITY = 0xa0;
/**
 * The vCPU thread's WFI flag (LR, SPSC) sits next to its doorbell. The first poster to see it set clears it
 * (compareExchange 1 → 0) and rings: one doorbell per block, as one ON covers every post until the harvest (PI).
 */
const BLOCKED_OFF = 1;

export function clockFor(baseNs: number): () => number {
  // performance.now() and process.hrtime share libuv's monotonic clock but each thread has its own time origin:
  // measure this thread's offset to the orchestrator's hrtime base, keeping the tightest bracket.
  let best = Number.POSITIVE_INFINITY;
  let off = 0;
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    const h = Number(process.hrtime.bigint());
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      off = h - baseNs - ((a + b) / 2) * 1e6;
    }
  }
  return () => performance.now() * 1e6 + off;
}

/** One thread's state in one phase (structure): segments run it again and again until the run ends. */
export interface PhaseRunner {
  /** Runs until the phase's stop words (a poster: CTL_STOP_POST; a vCPU thread: CTL_STOP_VCPU, then a drain pass). */
  segment(): void;
  /** What this thread measured in this phase over all its segments. */
  finish(): ThreadResult;
}

function emptyResult(init: ThreadInit, hist: LogLinearHistogram): ThreadResult {
  return {
    thread: init.thread,
    role: init.role,
    hist: { counts: hist.counts, count: 0, sum: 0, min: 0, max: 0 },
    raised: 0,
    coalesced: 0,
    delivered: 0,
    notifications: 0,
    wakeups: 0,
    blocks: 0,
    violations: 0,
    snToggles: 0,
    srcPosted: [],
    srcRaised: [],
    srcCoalesced: [],
    srcOverflow: [],
  };
}

/** The runner of thread `init` for phase `k` (its own structure, buffer, counters and histogram). */
export function phaseRunner(init: ThreadInit, k: number, now: () => number, faultAt: number): PhaseRunner {
  const ph: PhaseThreadInit = { ...init, ...init.phases[k] };
  const m = new Int32Array(ph.sab);
  const f = new Float64Array(ph.sab);
  const cnt = ph.layout.counters + init.thread * THREAD_F64;
  const hist = new LogLinearHistogram();
  const r = emptyResult(init, hist);
  const segment =
    init.role === 'poster'
      ? poster(ph, m, f, now, cnt, hist, faultAt, r)
      : vcpuThread(ph, m, f, now, cnt, hist, faultAt, r);
  return {
    segment,
    finish: () => {
      r.hist = { counts: hist.counts, count: hist.count, sum: hist.sum, min: hist.min, max: hist.max };
      return r;
    },
  };
}

/** Sets up a poster thread's state for one phase; returns its segment loop (results land in `r` as it goes). */
function poster(
  init: PhaseThreadInit,
  m: Int32Array,
  f: Float64Array,
  now: () => number,
  cnt: number,
  lag: LogLinearHistogram,
  faultAt: number,
  r: ThreadResult,
): () => void {
  const n = init.srcVcpu.length;
  const lr = init.mode === 'lr';
  const spsc = init.mode === 'spsc';
  if (spsc && init.closedLoop) throw new Error('the closed-loop checker is not defined for the SPSC baseline');
  const nrLr = init.nrLr;
  const saturate = init.drive === 'saturate';
  const maxDrive = init.drive === 'max';
  const ctl = new Int32Array(init.ctl);
  const { post: postVariant, raceSpins } = init.variants;
  const base = Int32Array.from(init.srcVcpu, (v) => vcpuBase(v));
  const vec = Int32Array.from(init.srcVector);
  const door = Int32Array.from(init.srcDoor);
  const mean = Float64Array.from(init.srcMeanNs);
  const periodic = Uint8Array.from(init.srcPeriodic, (p) => (p ? 1 : 0));
  const dlvIdx = Int32Array.from(init.srcVcpu, (v, i) => init.layout.delivered + v * SLOTS + init.srcSlot[i]);
  const epochIdx = Int32Array.from(init.srcDoor, (d) => d + CTL_EPOCH_OFF);
  // PI stamps: two per (vCPU, source), picked by the parity of the instance number (see docs/live.md), packed by the
  // source's rank among its vCPU's sources (by vector) so that the stamps one harvest reads share a cache line (all
  // sources of a vCPU belong to one poster: the ranks are known here). LR stamps: one per (vCPU, LR).
  const rank = (i: number) =>
    init.srcVcpu.filter((v, j) => v === init.srcVcpu[i] && init.srcSlot[j] < init.srcSlot[i]).length;
  const stampPi = Int32Array.from(init.srcVcpu, (v, i) => init.layout.stamps + (v * SLOTS + rank(i)) * 2);
  const stampLr = Int32Array.from(init.srcVcpu, (v) => init.layout.stamps + v * SLOTS * 2);
  const seq = new Float64Array(n); // PI: non-coalesced instances; LR: instances placed or queued
  const raised = new Float64Array(n);
  const coalesced = new Float64Array(n);
  const overflow = new Uint8Array(n);
  const overflowStamp = new Float64Array(n);
  const due = new Float64Array(n);
  let rng = (init.seed ^ 0x9e3779b9) >>> 0 || 1;
  const nextInterval = (i: number): number => {
    if (periodic[i]) return mean[i];
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return -mean[i] * Math.log(((rng >>> 0) + 1) / 4294967297);
  };
  let notifications = 0;
  let wakeups = 0;
  let violations = 0;
  let overflowing = 0;
  // SPSC baseline: the rings of this poster's vCPUs (one per vCPU), which ring each source feeds, and per source
  // the device backlog (records raised while the ring was full; they carry the stamp of the oldest of them, so
  // their latency is over- and never under-estimated).
  const ringVcpus = spsc ? [...new Set(init.srcVcpu)] : [];
  const rings = ringVcpus.map((v) => SpscRing.fromBuffer(init.sab, ringOffset(init.layout, v)));
  const ringDoor = Int32Array.from(ringVcpus, (v) => init.srcDoor[init.srcVcpu.indexOf(v)]);
  const ringOf = Int32Array.from(init.srcVcpu, (v) => ringVcpus.indexOf(v));
  const slot = Float64Array.from(init.srcSlot);
  const backlog = new Float64Array(n);
  const backlogStamp = new Float64Array(n);
  let backlogging = 0;

  const ringDoorbell = (d: number) => {
    Atomics.add(m, d, 1);
    Atomics.notify(m, d, 1);
    wakeups++;
  };
  const ring = (i: number) => ringDoorbell(door[i]);
  /** SPSC: one record for source i, unless the ring is full (then the device backlog, or nothing when saturated). */
  const postSpsc = (i: number, t: number): boolean => {
    if (backlog[i] === 0) {
      const rg = rings[ringOf[i]];
      const o = rg.tryClaim();
      if (o >= 0) {
        rg.data[o] = slot[i];
        rg.data[o + 1] = t;
        raised[i]++;
        seq[i]++;
        return true;
      }
      // A saturated device waits for room (back-pressure): nothing is raised.
      if (saturate) return false;
      backlogStamp[i] = t;
      backlogging++;
    }
    backlog[i]++;
    raised[i]++;
    seq[i]++;
    return true;
  };
  const retryBacklog = () => {
    for (let i = 0; i < n; i++) {
      if (backlog[i] === 0) continue;
      const rg = rings[ringOf[i]];
      while (backlog[i] > 0) {
        const o = rg.tryClaim();
        if (o < 0) break;
        rg.data[o] = slot[i];
        rg.data[o + 1] = backlogStamp[i];
        backlog[i]--;
      }
      if (backlog[i] === 0) backlogging--;
    }
  };
  /** SPSC: one Atomics.store per ring with new records (the ring's batch publication), then the doorbell check. */
  const publishRings = () => {
    for (let k = 0; k < rings.length; k++) {
      const rg = rings[k];
      if (rg.unpublished === 0) continue;
      rg.publish();
      notifications++;
      if (Atomics.compareExchange(m, ringDoor[k] + BLOCKED_OFF, 1, 0) === 1) ringDoorbell(ringDoor[k]);
    }
  };
  /**
   * Raises one interrupt of source i stamped t; returns true if a new instance was created. `clear`: PI, the caller
   * has just seen the PIR bit clear (drive max), so the post cannot coalesce.
   */
  const post = (i: number, t: number, clear = false): boolean => {
    if (spsc) return postSpsc(i, t);
    raised[i]++;
    if (lr) {
      if (overflow[i]) {
        coalesced[i]++;
        return false;
      }
      const res = lrLiveInject(m, base[i] + LR_OFF, nrLr, vec[i], LR_PRIORITY, f, stampLr[i], t);
      if (res === INJECT_COALESCED) {
        coalesced[i]++;
        return false;
      }
      seq[i]++;
      if (res === INJECT_FULL) {
        overflow[i] = 1;
        overflowStamp[i] = t;
        overflowing++;
        return true;
      }
      notifications++;
      if (Atomics.compareExchange(m, door[i] + BLOCKED_OFF, 1, 0) === 1) ring(i);
      return true;
    }
    if (!clear && pirTest(m, base[i], vec[i])) {
      coalesced[i]++;
      return false;
    }
    const k = seq[i];
    f[stampPi[i] + (k % 2)] = t;
    seq[i] = k + 1;
    const nv = piLivePost(m, base[i], vec[i], postVariant, raceSpins);
    if (nv !== NO_NOTIFY) {
      notifications++;
      if (nv === POSTED_INTR_WAKEUP_VECTOR) ring(i);
    }
    return true;
  };
  const retryOverflow = () => {
    for (let i = 0; i < n; i++) {
      if (!overflow[i]) continue;
      const res = lrLiveInject(m, base[i] + LR_OFF, nrLr, vec[i], LR_PRIORITY, f, stampLr[i], overflowStamp[i]);
      if (res === INJECT_FULL) continue;
      overflow[i] = 0;
      overflowing--;
      notifications++;
      if (Atomics.compareExchange(m, door[i] + BLOCKED_OFF, 1, 0) === 1) ring(i);
    }
  };
  // Drive max, nothing to raise for spinNs (every source in flight: the vCPU thread is not running, or its vCPUs are
  // descheduled): wait until a vCPU thread delivers (it rings the poster doors it finds flagged) — spin-then-wait, so
  // a poster holds no core it cannot use. The flag is set before the last look at the delivered counts, so a delivery
  // either is seen here or sees the flag (both sides are sequentially consistent atomics; the time-out bounds the rest).
  let idleSince = -1;
  let posterWaits = 0;
  /**
   * Drive max: the previous instance of source i has been taken — PI: harvested (its PIR bit is clear, so a post
   * would not coalesce; the poster reads that line to post anyway); LR: acknowledged; SPSC: consumed (both counted
   * delivered by the vCPU thread as it takes them).
   */
  const taken = (i: number): boolean =>
    lr || spsc ? Atomics.load(m, dlvIdx[i]) === seq[i] : !pirTest(m, base[i], vec[i]);
  const myDoor = posterDoor(init.index);
  const myBit = 1 << init.index;
  const posterWait = () => {
    const d = Atomics.load(ctl, myDoor);
    Atomics.or(ctl, SEG_POSTERS_WAITING, myBit);
    let any = false;
    for (let i = 0; i < n && !any; i++) any = taken(i);
    if (!any && Atomics.load(m, CTL_STOP_POST) === 0) Atomics.wait(ctl, myDoor, d, POSTER_WAIT_MS);
    Atomics.and(ctl, SEG_POSTERS_WAITING, ~myBit);
    posterWaits++;
  };
  const publish = () => {
    let a = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      a += raised[i];
      c += coalesced[i];
    }
    f[cnt + CNT_RAISED] = a;
    f[cnt + CNT_COALESCED] = c;
    f[cnt + CNT_NOTIFY] = notifications;
    f[cnt + CNT_WAKEUPS] = wakeups;
    f[cnt + CNT_VIOLATIONS] = violations;
  };

  const t0 = now();
  for (let i = 0; i < n; i++) due[i] = t0 + (init.drive !== 'paced' || init.closedLoop ? 0 : nextInterval(i));
  let iter = 0;
  let lastEnd = t0;
  const target = new Float64Array(n);
  // Stranded: the instance is raised but nothing will deliver it — not delivered, and PI: its PIR bit with
  // ON = SN = 0; LR: in no LR and not queued (strand-judge.ts: a verdict waits for two poll passes of the vCPU
  // thread, and in which order the reads go).
  const strands = new StrandJudge(
    n,
    (i) => Atomics.load(m, epochIdx[i]),
    (i) =>
      Atomics.load(m, dlvIdx[i]) < target[i] &&
      (lr ? !overflow[i] && !lrLiveHasPending(m, base[i] + LR_OFF, nrLr, vec[i]) : piLiveStranded(m, base[i], vec[i])),
  );
  return () => {
    // Paced: the arrival processes pause while other segments run (the time between this poster's segments is not
    // owed as a burst of late arrivals).
    const gap = now() - lastEnd;
    for (let i = 0; i < n; i++) due[i] += gap;
    while (Atomics.load(m, CTL_STOP_POST) === 0) {
      // Drive max reads the clock only in a pass that posts (a clock read costs ~0.1 µs, as much as a pass that finds
      // every source still in flight), and looks at the time of the other passes every 64th.
      const t = maxDrive ? ((iter & 63) === 0 ? now() : 0) : now();
      if (t >= faultAt) throw new Error(`injected fault in poster thread ${init.index} (test hook)`);
      if (overflowing > 0) retryOverflow();
      if (backlogging > 0) retryBacklog();
      if (init.closedLoop) {
        // One outstanding instance per source: post all, then wait for each to be delivered, judging strands.
        for (let i = 0; i < n; i++) {
          target[i] = Atomics.load(m, dlvIdx[i]) + 1;
          strands.reset(i);
          post(i, t);
          // PI: post the next source the moment this one's bit has been harvested, i.e. while the harvest is still
          // running — the adversarial interleaving for the harvest order (bounded: a stranded bit never clears).
          if (!lr && i + 1 < n) for (let w = 0; w < 200_000 && pirTest(m, base[i], vec[i]); w++);
        }
        for (let i = 0; i < n; i++) {
          let spins = 0;
          while (Atomics.load(m, dlvIdx[i]) < target[i]) {
            if ((++spins & 1023) !== 0) continue;
            if (Atomics.load(m, CTL_STOP_POST) !== 0) break;
            if (overflowing > 0) retryOverflow();
            if (strands.look(i)) {
              violations++;
              publish();
              // Recover so the run goes on: re-notify (PI) or re-inject the lost instance (LR).
              if (lr) {
                lrLiveInject(m, base[i] + LR_OFF, nrLr, vec[i], LR_PRIORITY, f, stampLr[i], now());
                if (Atomics.compareExchange(m, door[i] + BLOCKED_OFF, 1, 0) === 1) ring(i);
              } else if (trySetOn(m, base[i]) === POSTED_INTR_WAKEUP_VECTOR) ring(i);
            }
          }
        }
      } else if (maxDrive) {
        // One in flight per source: raise again once the structure no longer holds the previous instance.
        let tp = -1;
        for (let i = 0; i < n; i++)
          if (taken(i)) {
            if (tp < 0) tp = now();
            post(i, tp, true);
          }
        if (tp >= 0) idleSince = -1;
        else if (t > 0) {
          // A timed pass that found every source in flight: spin for spinNs, then wait.
          if (idleSince < 0) idleSince = t;
          else if (t - idleSince >= init.spinNs) {
            posterWait();
            idleSince = -1;
          }
        }
      } else if (saturate) {
        for (let b = 0; b < init.batch; b++) for (let i = 0; i < n; i++) post(i, t);
      } else {
        for (let i = 0; i < n; i++) {
          let d = due[i];
          if (d > t) continue;
          // Every arrival that fell due since the last clock read is raised now, stamped now; the lag from its
          // scheduled time is recorded (it shows whether this poster kept up with the arrival process).
          do {
            lag.record(t - d);
            post(i, t);
            d += nextInterval(i);
          } while (d <= t);
          due[i] = d;
        }
      }
      if (spsc) publishRings();
      if ((++iter & 63) === 0) publish();
    }
    if (spsc) {
      retryBacklog();
      publishRings();
    }
    publish();
    r.raised = raised.reduce((a, b) => a + b, 0);
    r.coalesced = coalesced.reduce((a, b) => a + b, 0);
    r.notifications = notifications;
    r.wakeups = wakeups;
    r.violations = violations;
    r.blocks = posterWaits;
    r.srcPosted = Array.from(seq);
    r.srcRaised = Array.from(raised);
    r.srcCoalesced = Array.from(coalesced);
    r.srcOverflow = spsc ? Array.from(backlog) : Array.from(overflow);
    lastEnd = now();
  };
}

/** Sets up a vCPU thread's state for one phase; returns its segment loop (results land in `r` as it goes). */
function vcpuThread(
  init: PhaseThreadInit,
  m: Int32Array,
  f: Float64Array,
  now: () => number,
  cnt: number,
  hist: LogLinearHistogram,
  faultAt: number,
  r: ThreadResult,
): () => void {
  const vs = Int32Array.from(init.vcpuList);
  const nv = vs.length;
  const base = Int32Array.from(vs, (v) => vcpuBase(v));
  const dlv = Int32Array.from(vs, (v) => init.layout.delivered + v * SLOTS);
  const stamps = Int32Array.from(vs, (v) => init.layout.stamps + v * SLOTS * 2);
  // PI: vector → the source's rank among the vCPU's sources (the packed stamp index; vcpuVectors is sorted by vector).
  const stampRank = new Int32Array(nv * SLOTS);
  // PI: the PIR words that the vCPU's sources post into (the only ones a harvest must read).
  const pirWords = Int32Array.from(init.vcpuVectors, (vecs) => vecs.reduce((a, x) => a | (1 << (x >>> 5)), 0));
  if (init.mode === 'pi')
    for (let j = 0; j < nv; j++)
      for (let r = 0; r < init.vcpuVectors[j].length; r++) stampRank[j * SLOTS + init.vcpuVectors[j][r]] = r;
  const lr = init.mode === 'lr';
  const spsc = init.mode === 'spsc';
  const ctl = new Int32Array(init.ctl);
  const nrLr = init.nrLr;
  const vint = init.vcpuVectors.map((a) => Int32Array.from(a));
  const rings = spsc ? Array.from(vs, (v) => SpscRing.fromBuffer(init.sab, ringOffset(init.layout, v))) : [];
  const { harvest: harvestVariant, eoi: eoiVariant, reload: reloadVariant, raceSpins } = init.variants;
  const door = doorIndex(init.index);
  const epochI = epochIndex(init.index);
  const out = new Int32Array(8);
  const ackStamp = new Float64Array(1);
  let delivered = 0;
  let blocks = 0;
  let epoch = 0;
  let idleSince = -1;
  let idlePasses = 0;
  let stopping = false;

  // PI churn: descheduled vCPUs (SN = 1, not serviced), when each toggles next, and the next forced block.
  const churnNs = init.mode === 'pi' ? init.churnNs : 0;
  const desched = new Uint8Array(nv);
  const toggleAt = new Float64Array(nv);
  let nextBlock = 0;
  let snToggles = 0;
  let rng = (init.seed ^ 0x85ebca6b) >>> 0 || 1;
  const expRand = (mean: number): number => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return -mean * Math.log(((rng >>> 0) + 1) / 4294967297);
  };
  const waitMs = churnNs > 0 ? Math.min(init.waitMs, Math.max(0.01, (2 * churnNs) / 1e6)) : init.waitMs;
  const reload = (j: number) => {
    piLiveReload(m, base[j], reloadVariant);
    desched[j] = 0;
    snToggles++;
  };

  const blockedIdx = door + BLOCKED_OFF;
  const anyPending = (): boolean => {
    for (let j = 0; j < nv; j++) {
      if (lr) {
        for (let n = 0; n < nrLr; n++)
          if ((Atomics.load(m, base[j] + LR_OFF + 2 * n + 1) & (1 << 30)) !== 0) return true;
      } else if (spsc) {
        if (rings[j].available() > 0) return true;
      } else if (desched[j] === 0 && piLiveOn(m, base[j])) return true;
    }
    return false;
  };
  // Block (HLT / WFI). PI: NV := wake-up vector on every descriptor (KVM pi_enable_wakeup_handler), then look for ON
  // once more; LR / SPSC: raise the WFI flag, then look for a Pending LR / a published record. A post after that
  // rings the doorbell.
  const block = (ms: number) => {
    const d = Atomics.load(m, door);
    if (lr || spsc) Atomics.store(m, blockedIdx, 1);
    else for (let j = 0; j < nv; j++) piLiveSetNv(m, base[j], POSTED_INTR_WAKEUP_VECTOR);
    if (!anyPending() && Atomics.load(m, CTL_STOP_VCPU) === 0) Atomics.wait(m, door, d, ms);
    if (lr || spsc) Atomics.store(m, blockedIdx, 0);
    else for (let j = 0; j < nv; j++) piLiveSetNv(m, base[j], POSTED_INTR_VECTOR);
    blocks++;
    f[cnt + CNT_BLOCKS] = blocks;
  };
  const churn = (tn: number) => {
    for (let j = 0; j < nv; j++) {
      if (tn < toggleAt[j]) continue;
      if (desched[j]) reload(j);
      else {
        piLiveSetSn(m, base[j], true); // vmx_vcpu_pi_put of a preempted vCPU
        desched[j] = 1;
        snToggles++;
      }
      toggleAt[j] = tn + expRand(churnNs);
    }
    if (tn >= nextBlock) {
      nextBlock = tn + expRand(8 * churnNs);
      block(waitMs);
    }
    f[cnt + CNT_SN_TOGGLES] = snToggles;
  };
  if (churnNs > 0) {
    const t0 = now();
    for (let j = 0; j < nv; j++) toggleAt[j] = t0 + expRand(churnNs);
    nextBlock = t0 + expRand(8 * churnNs);
  }

  return () => {
    idleSince = -1;
    idlePasses = 0;
    stopping = false;
    for (;;) {
      let got = 0;
      let t = -1;
      for (let j = 0; j < nv; j++) {
        const b = base[j];
        if (spsc) {
          const rg = rings[j];
          const k = rg.available();
          if (k === 0) continue;
          if (t < 0) t = now();
          const d = rg.data;
          for (let q = 0; q < k; q++) {
            const o = rg.offsetAt(q);
            m[dlv[j] + d[o]]++;
            const st = d[o + 1];
            hist.record(t > st ? t - st : 0);
          }
          rg.release(k);
          got += k;
        } else if (lr) {
          const l = b + LR_OFF;
          for (
            let n = lrLiveAck(m, l, nrLr, f, stamps[j], ackStamp);
            n >= 0;
            n = lrLiveAck(m, l, nrLr, f, stamps[j], ackStamp)
          ) {
            if (t < 0) t = now();
            const id = m[l + 2 * n];
            const tbl = vint[j];
            let s = 0;
            while (s < tbl.length && tbl[s] !== id) s++;
            m[dlv[j] + s]++;
            const st = ackStamp[0];
            lrLiveEoi(m, l, n, eoiVariant, raceSpins);
            hist.record(t > st ? t - st : 0);
            got++;
          }
        } else if (desched[j] === 0 && piLiveHarvest(m, b, out, harvestVariant, raceSpins, pirWords[j]) > 0) {
          // PIR → vIRR, then service by priority: highest vector first, each acknowledged and EOI'd (the handler is
          // empty) before the next.
          if (t < 0) t = now();
          for (let vec = piLiveNextVector(out); vec >= 0; vec = piLiveNextVector(out)) {
            const i = dlv[j] + vec;
            const k = m[i];
            const st = f[stamps[j] + stampRank[j * SLOTS + vec] * 2 + (k % 2)];
            m[i] = k + 1;
            hist.record(t > st ? t - st : 0);
            got++;
          }
        }
      }
      // The epoch (completed passes) is what the closed-loop checker's verdicts wait on; otherwise nobody reads it.
      ++epoch;
      if (init.closedLoop) Atomics.store(m, epochI, epoch);
      if (churnNs > 0 && !stopping && (epoch & 7) === 0) churn(now());
      if (got > 0) {
        if (Atomics.load(ctl, SEG_POSTERS_WAITING) !== 0) wakePosters(ctl);
        delivered += got;
        idleSince = -1;
        idlePasses = 0;
        if ((epoch & 63) === 0) f[cnt + CNT_DELIVERED] = delivered;
        continue;
      }
      if (stopping) break;
      if (Atomics.load(m, CTL_STOP_VCPU) !== 0) {
        // One more full pass after the posters have stopped: the final drain (descheduled vCPUs reloaded first).
        stopping = true;
        for (let j = 0; j < nv; j++) if (desched[j]) reload(j);
        continue;
      }
      if ((++idlePasses & 63) !== 0) continue;
      const tn = now();
      if (tn >= faultAt) throw new Error(`injected fault in vCPU thread ${init.index} (test hook)`);
      f[cnt + CNT_DELIVERED] = delivered;
      if (idleSince < 0) {
        idleSince = tn;
        continue;
      }
      if (tn - idleSince < init.spinNs) continue;
      block(waitMs);
      idleSince = -1;
      idlePasses = 0;
    }
    f[cnt + CNT_DELIVERED] = delivered;
    f[cnt + CNT_SN_TOGGLES] = snToggles;
    r.delivered = delivered;
    r.blocks = blocks;
    r.snToggles = snToggles;
  };
}

if (parentPort && workerData) {
  const port = parentPort;
  const init = workerData as ThreadInit;
  const now = clockFor(init.baseNs);
  const faultAt = init.faultAfterMs > 0 ? now() + init.faultAfterMs * 1e6 : Number.POSITIVE_INFINITY;
  const runners = init.phases.map((_, k) => phaseRunner(init, k, now, faultAt));
  port.postMessage({ ready: true });
  // Segments: the orchestrator bumps SEG_SEQ with the phase to run in SEG_PHASE (-1: the run is over). Every thread
  // runs every segment, so the structures are measured by the same threads, interleaved.
  const ctl = new Int32Array(init.ctl);
  let seen = 0;
  for (;;) {
    while (Atomics.load(ctl, SEG_SEQ) === seen) Atomics.wait(ctl, SEG_SEQ, seen, 50);
    seen = Atomics.load(ctl, SEG_SEQ);
    const k = Atomics.load(ctl, SEG_PHASE);
    if (k < 0) break;
    runners[k].segment();
    port.postMessage({ segmentDone: seen });
  }
  const res = runners.map((r) => r.finish());
  port.postMessage(
    { results: res },
    res.map((x) => x.hist.counts.buffer as ArrayBuffer),
  );
}
