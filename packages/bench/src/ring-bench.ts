// Data-plane benchmark: messages/s between two worker threads for our SpscRing (batched and per-message publish),
// ringbuf.js with the same 48-byte records, and postMessage of one object per message; plus 2-thread barrier
// crossings/s. Reference ceilings: docs/machine-limits.md §2.1–2.3, §2.7 (16-byte messages there).
//
// Method (as in limits.md): two workers, the main thread blocked in Atomics.wait. Each case spawns its workers once
// and runs `warmup + reps` repetitions; a repetition is `durationMs` of producing, timed on the main thread from GO
// to the consumer having checked every message in order. Results are the median of the measured repetitions.
//
// Run standalone: `npx tsc -b packages/bench && node packages/bench/dist/ring-bench.js`.

import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Barrier, SpscRing, withSyncCompiledThreads } from '@ivsim/core/internal';
import { RingBuffer } from 'ringbuf.js';
import {
  type BenchKind,
  CTL_BYTES,
  DONE,
  ERRORS,
  GO,
  RECORD_WORDS,
  TOTAL,
  type WorkerConfig,
} from './ring-bench-shared.ts';

export interface RingBenchOptions {
  /** Producing time per repetition (default 200 ms: with the defaults each case takes ~1 s). */
  durationMs?: number;
  /** Measured repetitions per case (default 4), after `warmup` (default 1) discarded ones. */
  reps?: number;
  warmup?: number;
  /** Ring capacity in records (default 4096, as in limits.md). */
  capacity?: number;
  /** Print progress and the result table (default false for the API, true when run standalone). */
  print?: boolean;
}

export interface CaseResult {
  label: string;
  unit: 'msg/s' | 'crossings/s';
  median: number;
  min: number;
  max: number;
  /** Every measured repetition's rate, in the order measured (the samples of the bench's ring metrics). */
  rates: number[];
}

export interface RingBenchResult {
  spscPub64: CaseResult;
  spscPub1: CaseResult;
  ringbufPush1: CaseResult;
  ringbufPush64: CaseResult;
  postMessage: CaseResult;
  barrier2: CaseResult;
  /** Ratios of medians, e.g. `spscPub64/postMessage`. */
  ratios: Record<string, number>;
}

// Workers always run compiled JS (TOOLCHAIN §2), even when this module is loaded from src/ by a test runner.
const DIST = import.meta.url.endsWith('.ts') ? new URL('../dist/', import.meta.url) : new URL('./', import.meta.url);
const WORKER_URL = new URL('ring-bench-worker.js', DIST);

interface CaseSpec {
  label: string;
  kind: BenchKind;
  batch: number;
  unit: CaseResult['unit'];
}

async function runCase(spec: CaseSpec, o: Required<RingBenchOptions>): Promise<CaseResult> {
  const ctlSab = new SharedArrayBuffer(CTL_BYTES);
  const ctl = new Int32Array(ctlSab);
  const reps = o.warmup + o.reps;
  const base = { kind: spec.kind, ctl: ctlSab, reps, durationMs: o.durationMs, batch: spec.batch };
  const configs: WorkerConfig[] = [];
  if (spec.kind === 'port') {
    const { port1, port2 } = new MessageChannel();
    configs.push({ ...base, role: 'prod', port: port1 }, { ...base, role: 'cons', port: port2 });
  } else if (spec.kind === 'barrier') {
    const ring = Barrier.create(2).buffer;
    configs.push({ ...base, role: 'party', ring, partyId: 0 }, { ...base, role: 'party', ring, partyId: 1 });
  } else {
    const ring =
      spec.kind === 'spsc'
        ? (SpscRing.create(o.capacity, RECORD_WORDS).buffer as SharedArrayBuffer)
        : RingBuffer.getStorageForCapacity(o.capacity * RECORD_WORDS, Float64Array);
    configs.push({ ...base, role: 'prod', ring }, { ...base, role: 'cons', ring });
  }
  // Only consumers (and both barrier parties) signal DONE.
  const donePerRep = spec.kind === 'barrier' ? 2 : 1;
  const failures: Error[] = [];
  // Optimising on their own threads: see core mem/worker-isolates.ts.
  const workers = withSyncCompiledThreads(
    () =>
      configs.map((workerData) => {
        const w = new Worker(WORKER_URL, { workerData, transferList: workerData.port ? [workerData.port] : [] });
        w.on('error', (e) => failures.push(e));
        return w;
      }),
    (ws) => ws,
  );
  try {
    await Promise.all(workers.map((w) => new Promise((r) => w.once('online', r))));
    const rates: number[] = [];
    for (let rep = 1; rep <= reps; rep++) {
      const want = Atomics.load(ctl, DONE) + donePerRep;
      const t0 = performance.now();
      Atomics.store(ctl, GO, rep);
      Atomics.notify(ctl, GO);
      // Main idle in Atomics.wait (never a third busy thread on 2 cores); bounded, so a dead worker cannot hang us.
      const limit = t0 + o.durationMs * 20 + 10_000;
      for (let v = Atomics.load(ctl, DONE); v < want; v = Atomics.load(ctl, DONE)) {
        if (performance.now() > limit) throw new Error(`${spec.label}: repetition ${rep} did not finish`);
        Atomics.wait(ctl, DONE, v, 100);
      }
      const seconds = (performance.now() - t0) / 1e3;
      if (rep > o.warmup) rates.push(Atomics.load(ctl, TOTAL) / seconds);
    }
    const errors = Atomics.load(ctl, ERRORS);
    if (errors !== 0) throw new Error(`${spec.label}: consumer saw ${errors} out-of-order or corrupt messages`);
    const sorted = [...rates].sort((a, b) => a - b);
    const median =
      sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return { label: spec.label, unit: spec.unit, median, min: sorted[0], max: sorted[sorted.length - 1], rates };
  } catch (e) {
    await new Promise((r) => setTimeout(r, 50)); // let pending 'error' events arrive
    if (failures.length > 0) throw new Error(`${spec.label}: worker failed: ${failures[0].stack ?? failures[0]}`);
    throw e;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const CASES = {
  spscPub64: { label: 'SpscRing, publish every 64', kind: 'spsc', batch: 64, unit: 'msg/s' },
  spscPub1: { label: 'SpscRing, publish every message', kind: 'spsc', batch: 1, unit: 'msg/s' },
  ringbufPush1: { label: 'ringbuf.js, one record per push', kind: 'ringbuf', batch: 1, unit: 'msg/s' },
  ringbufPush64: { label: 'ringbuf.js, 64 records per push', kind: 'ringbuf', batch: 64, unit: 'msg/s' },
  postMessage: { label: 'postMessage, one object per message', kind: 'port', batch: 1, unit: 'msg/s' },
  barrier2: { label: 'Barrier (spin-then-wait), 2 threads', kind: 'barrier', batch: 1, unit: 'crossings/s' },
} as const satisfies Record<string, CaseSpec>;

export async function runRingBench(opts: RingBenchOptions = {}): Promise<RingBenchResult> {
  const o: Required<RingBenchOptions> = {
    durationMs: opts.durationMs ?? 200,
    reps: opts.reps ?? 4,
    warmup: opts.warmup ?? 1,
    capacity: opts.capacity ?? 4096,
    print: opts.print ?? false,
  };
  const out: Partial<Record<keyof typeof CASES, CaseResult>> = {};
  for (const [key, spec] of Object.entries(CASES) as [keyof typeof CASES, CaseSpec][]) {
    out[key] = await runCase(spec, o);
    if (o.print) console.log(formatRow(out[key]));
  }
  const r = out as Record<keyof typeof CASES, CaseResult>;
  const ratio = (a: keyof typeof CASES, b: keyof typeof CASES) => r[a].median / r[b].median;
  const ratios = {
    'spscPub64/spscPub1': ratio('spscPub64', 'spscPub1'),
    'spscPub64/ringbufPush64': ratio('spscPub64', 'ringbufPush64'),
    'spscPub64/ringbufPush1': ratio('spscPub64', 'ringbufPush1'),
    'spscPub1/ringbufPush1': ratio('spscPub1', 'ringbufPush1'),
    'spscPub64/postMessage': ratio('spscPub64', 'postMessage'),
    'spscPub1/postMessage': ratio('spscPub1', 'postMessage'),
    'ringbufPush1/postMessage': ratio('ringbufPush1', 'postMessage'),
  };
  if (o.print) {
    console.log('\nratios of medians:');
    for (const [k, v] of Object.entries(ratios)) console.log(`  ${k.padEnd(26)} ${v.toFixed(2)}x`);
  }
  return { ...r, ratios };
}

function si(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e8 ? 0 : 1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(0)}k`;
  return v.toFixed(0);
}

function formatRow(c: CaseResult): string {
  return `${c.label.padEnd(40)} ${si(c.median).padStart(6)} ${c.unit.padEnd(12)} [${si(c.min)}–${si(c.max)}]`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // Every case needs both cores; another busy process on the machine shows up as wide [min–max] ranges.
  const load = loadavg()[0].toFixed(2);
  console.log(`ring bench: ${RECORD_WORDS * 8}-byte records, 2 worker threads, main idle (median [min–max])`);
  console.log(`cores ${availableParallelism()}, load average ${load} at start`);
  await runRingBench({ print: true });
}
