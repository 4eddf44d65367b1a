// Micro-benchmarks of the model's hot paths (tinybench). Each task runs its operation BATCH times per call so that
// tinybench's per-call timer overhead (tens of ns, TOOLCHAIN §7) does not swamp operations of a few ns; reported
// rates are per operation. Inner loops allocate nothing: inputs come from tables built before timing, and results
// are folded into a module-level sink so that V8 cannot drop the work.

import {
  acceptIrq,
  ackIrq,
  EventQueue,
  eoi,
  LogLinearHistogram,
  newLapic,
  POST_NOTIFY,
  pendingDeliverable,
  piPostHw,
  piReset,
  piSetSn,
  piSyncPirToIrr,
  RngStreams,
  toHdr,
  vecClear,
} from '@ivsim/core/internal';
import { Bench } from 'tinybench';
import { type Metric, metric } from './compare.ts';
import { median } from './stats.ts';

export interface MicroDetail {
  label: string;
  batch: number;
  /** Median over the rounds of each round's rate at its median call time. */
  opsPerSec: number;
  nsPerOp: number;
  p50NsPerOp: number;
  p99NsPerOp: number;
  /** Largest relative margin of error of the mean latency over the rounds, in percent (tinybench `rme`). */
  rmePct: number;
  /** Calls timed, over all rounds. */
  samples: number;
  /** Rounds (= --repeats): each gives one sample of the metric. */
  rounds: number;
  ref: string;
}

export interface MicroResult {
  metrics: Record<string, Metric>;
  details: Record<string, MicroDetail>;
}

interface MicroTask {
  key: string;
  label: string;
  batch: number;
  unit: string;
  ref: string;
  fn: () => void;
}

let sink = 0;

const TABLE = 1 << 16; // power of two; indexes wrap with & (TABLE - 1)
const MASK = TABLE - 1;

/** Precomputed inputs, built once (deterministic: a fixed seed). */
function tables() {
  const rng = new RngStreams(12345, 1);
  const expInc = new Float64Array(TABLE); // Exp(mean 10k cycles) increments for the hold model
  const latency = new Float64Array(TABLE); // log-uniform 100 .. 10^7 cycles
  const vectors = new Uint8Array(TABLE); // 0x20 .. 0xef
  for (let i = 0; i < TABLE; i++) {
    expInc[i] = Math.max(1, Math.round(-Math.log(rng.uniformOpen(0)) * 10_000));
    latency[i] = Math.round(100 * 10 ** (5 * rng.uniform(0)));
    vectors[i] = 0x20 + rng.below(0, 0xf0 - 0x20);
  }
  return { expInc, latency, vectors };
}

function buildTasks(): MicroTask[] {
  const { expInc, latency, vectors } = tables();

  // EventQueue hold model at 10k pending: pop the earliest event, schedule one successor.
  const PENDING = 10_000;
  const q = new EventQueue(16_384); // no growth during the run
  let qi = 0;
  let seq = 0;
  for (let i = 0; i < PENDING; i++) q.push(expInc[qi++ & MASK] * 8, i & 255, seq++, 1, i & 1023, 0, 0);
  // The same at 10^6 pending (a 10^6-vCPU fleet's scale): the ladder behind the heap holds most of them.
  const BIG = 1_000_000;
  const qBig = new EventQueue(BIG + 1024);
  let qbi = 0;
  for (let i = 0; i < BIG; i++) qBig.push(expInc[qbi++ & MASK] * 800, i & 255, seq++, 1, i & 1023, 0, 0);

  const hist = new LogLinearHistogram();
  let hi = 0;

  // A histogram like one scheme's delivery latencies, converted once per scheme for the results JSON.
  const full = new LogLinearHistogram();
  for (let i = 0; i < 1_000_000; i++) full.record(latency[i & MASK]);

  const rng = new RngStreams(2026, 64);
  let ri = 0;

  const pid = new Uint32Array(16);
  piReset(pid);
  piSetSn(pid, false);
  const irr = new Uint32Array(8);
  const scratch = new Uint32Array(8);
  let pi = 0;

  const lapic = newLapic();
  let li = 0;

  const B = 1000;
  return [
    {
      key: 'eventQueue.holdPopPush10k',
      label: 'EventQueue pop+push, 10k pending',
      batch: B,
      unit: 'ops/s',
      ref: 'typed heap pop+push 9.3M/s, replaceTop 10.0M/s @10k (§2.5)',
      fn: () => {
        for (let k = 0; k < B; k++) {
          q.pop();
          q.push(q.t + expInc[qi++ & MASK], qi & 255, seq++, q.type, q.entity, q.a0, q.a1);
        }
      },
    },
    {
      key: 'eventQueue.holdPopPush1m',
      label: 'EventQueue pop+push, 10^6 pending',
      batch: B,
      unit: 'ops/s',
      ref: 'the 10k case: a heap pays a cache miss per level here, the ladder keeps the heap small (DESIGN §19.3)',
      fn: () => {
        for (let k = 0; k < B; k++) {
          qBig.pop();
          qBig.push(qBig.t + expInc[qbi++ & MASK] * 100, qbi & 255, seq++, qBig.type, qBig.entity, qBig.a0, qBig.a1);
        }
      },
    },
    {
      key: 'histogram.loglinearRecord',
      label: 'LogLinearHistogram.record',
      batch: B,
      unit: 'ops/s',
      ref: 'plain bucket array 2.3 ns = 435M/s; hdr WASM 20 ns = 50M/s, JS 106 ns = 9.4M/s (§2.6)',
      fn: () => {
        for (let k = 0; k < B; k++) hist.record(latency[hi++ & MASK]);
      },
    },
    {
      key: 'histogram.toHdr1M',
      label: 'toHdr (1M-sample histogram → HDR + base64)',
      batch: 1,
      unit: 'ops/s',
      ref: 'hdr encode of a full histogram 2.7 ms (TOOLCHAIN §6)',
      fn: () => {
        sink += toHdr(full, 2.1).base64.length;
      },
    },
    {
      key: 'rng.nextU32',
      label: 'RngStreams.nextU32 (64 streams)',
      batch: B,
      unit: 'ops/s',
      ref: '— (plain Int32Array store+load 0.85 ns, §2.0)',
      fn: () => {
        let acc = 0;
        for (let k = 0; k < B; k++) acc ^= rng.nextU32(ri++ & 63);
        sink += acc;
      },
    },
    {
      key: 'rng.exponential',
      label: 'RNG exponential draw −ln(U)·mean',
      batch: B,
      unit: 'ops/s',
      ref: '—',
      fn: () => {
        let acc = 0;
        for (let k = 0; k < B; k++) acc += -Math.log(rng.uniformOpen(ri++ & 63)) * 1500;
        sink += acc;
      },
    },
    {
      key: 'pi.postSync',
      label: 'PIR post (IOMMU) + sync PIR→IRR',
      batch: B,
      unit: 'ops/s',
      ref: '—',
      fn: () => {
        let acc = 0;
        for (let k = 0; k < B; k++) {
          const v = vectors[pi++ & MASK];
          if ((piPostHw(pid, v) & POST_NOTIFY) !== 0) acc += piSyncPirToIrr(pid, irr, scratch);
          vecClear(irr, v);
        }
        sink += acc;
      },
    },
    {
      key: 'lapic.acceptAckEoi',
      label: 'LAPIC accept + ack + EOI',
      batch: B,
      unit: 'ops/s',
      ref: '—',
      fn: () => {
        let acc = 0;
        for (let k = 0; k < B; k++) {
          acceptIrq(lapic, vectors[li++ & MASK], false);
          const v = pendingDeliverable(lapic);
          ackIrq(lapic, v);
          acc += eoi(lapic);
        }
        sink += acc;
      },
    },
  ];
}

/**
 * Runs every task in `repeats` rounds (round-robin over the tasks, so a change in the host's load during the section
 * touches every task alike); each round gives one sample per task: its rate at the round's median call time (a call
 * preempted by another process moves the median of a round little, the mean a lot). The time budget per task is
 * split over the rounds, so more repeats do not make the section longer.
 */
export async function runMicro(opts: {
  quick: boolean;
  repeats: number;
  scale: number;
  log: (s: string) => void;
}): Promise<MicroResult> {
  const tasks = buildTasks();
  const budgetMs = (opts.quick ? 200 : 1000) * opts.scale;
  const perRound = new Map<
    string,
    { rate: number; mean: number; p50: number; p99: number; rme: number; n: number }[]
  >();
  for (let round = 0; round < opts.repeats; round++) {
    const bench = new Bench({
      name: 'ivsim micro',
      time: budgetMs / opts.repeats,
      // tinybench's floor of 64 calls per task would dominate a scaled-down (test) run.
      iterations: opts.scale < 1 ? 1 : 64,
      warmup: round === 0,
      warmupTime: (opts.quick ? 50 : 250) * opts.scale,
      warmupIterations: opts.scale < 1 ? 1 : 16,
    });
    for (const t of tasks) bench.add(t.key, t.fn);
    await bench.run();
    for (const t of tasks) {
      const r = bench.getTask(t.key)?.result;
      if (!r || !('latency' in r)) {
        const err = r && 'error' in r ? r.error : undefined;
        throw new Error(`micro ${t.key}: ${r?.state ?? 'no result'}${err ? `: ${err.message}` : ''}`);
      }
      // latency is in ms per call of fn; a call runs `batch` operations.
      const l = r.latency;
      const rows = perRound.get(t.key) ?? [];
      rows.push({ rate: (1e3 * t.batch) / l.p50, mean: l.mean, p50: l.p50, p99: l.p99, rme: l.rme, n: l.samplesCount });
      perRound.set(t.key, rows);
    }
  }
  const metrics: Record<string, Metric> = {};
  const details: Record<string, MicroDetail> = {};
  for (const t of tasks) {
    const rows = perRound.get(t.key) ?? [];
    const ns = (ms: number) => (ms * 1e6) / t.batch;
    const d: MicroDetail = {
      label: t.label,
      batch: t.batch,
      opsPerSec: median(rows.map((x) => x.rate)),
      nsPerOp: ns(median(rows.map((x) => x.mean))),
      p50NsPerOp: ns(median(rows.map((x) => x.p50))),
      p99NsPerOp: ns(median(rows.map((x) => x.p99))),
      rmePct: Math.max(...rows.map((x) => x.rme)),
      samples: rows.reduce((a, x) => a + x.n, 0),
      rounds: rows.length,
      ref: t.ref,
    };
    details[t.key] = d;
    metrics[`micro.${t.key}`] = metric(
      rows.map((x) => x.rate),
      t.unit,
      'higher',
      'throughput',
      t.ref,
    );
  }
  if (sink === 0.5) opts.log(''); // keep the sink observable
  return { metrics, details };
}
