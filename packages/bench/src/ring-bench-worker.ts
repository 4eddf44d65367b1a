// Worker side of ring-bench.ts: one producer, consumer or barrier party per thread. Runs compiled (dist/*.js).
// Repetitions are started by the main thread through the GO word; the main thread times GO → DONE.

import { parentPort, workerData } from 'node:worker_threads';
import { Barrier, SpscRing } from '@ivsim/core/internal';
import { RingBuffer } from 'ringbuf.js';
import { DONE, ERRORS, GO, PDONE, RECORD_WORDS, TOTAL, type WorkerConfig } from './ring-bench-shared.ts';

const cfg = workerData as WorkerConfig;
const ctl = new Int32Array(cfg.ctl);

function waitGo(rep: number): void {
  for (let v = Atomics.load(ctl, GO); v < rep; v = Atomics.load(ctl, GO)) Atomics.wait(ctl, GO, v);
}

// Reports this repetition's consumer errors before DONE, so the main thread reads them once DONE is reached.
function finish(): void {
  Atomics.add(ctl, ERRORS, errors);
  errors = 0;
  Atomics.add(ctl, DONE, 1);
  Atomics.notify(ctl, DONE);
}

function producerDone(rep: number, n: number): void {
  Atomics.store(ctl, TOTAL, n);
  Atomics.store(ctl, PDONE, rep);
}

// Consumers: check that message seq numbers arrive as 0, 1, 2, … within each repetition.
let expected = 0;
let errors = 0;
const checkRecord = (d: Float64Array, o: number): void => {
  if (d[o + 2] !== expected || d[o] !== expected) errors++;
  expected++;
};

// True once the producer has finished this repetition and everything it sent has been consumed.
function consumerCaughtUp(rep: number): boolean {
  return Atomics.load(ctl, PDONE) === rep && expected === Atomics.load(ctl, TOTAL);
}

function spscProducer(): void {
  const ring = SpscRing.fromBuffer(cfg.ring!);
  const mask = cfg.batch - 1;
  for (let rep = 1; rep <= cfg.reps; rep++) {
    waitGo(rep);
    const deadline = performance.now() + cfg.durationMs;
    let n = 0;
    do {
      for (let k = 0; k < 4096; k++) {
        // Full: make sure the consumer can see what is there, then poll for space.
        while (!ring.tryPush(n, 1, n, 7, 0.5, 2.5)) ring.publish();
        n++;
        if ((n & mask) === 0) ring.publish();
      }
    } while (performance.now() < deadline);
    ring.publish();
    producerDone(rep, n);
  }
}

function spscConsumer(): void {
  const ring = SpscRing.fromBuffer(cfg.ring!);
  for (let rep = 1; rep <= cfg.reps; rep++) {
    waitGo(rep);
    expected = 0;
    while (ring.drain(checkRecord) > 0 || !consumerCaughtUp(rep)) {
      // busy-poll: the consumer is a dedicated thread, as in the engine
    }
    finish();
  }
}

function ringbufProducer(): void {
  const rb = new RingBuffer(cfg.ring!, Float64Array);
  const recs = cfg.batch;
  const batch = new Float64Array(recs * RECORD_WORDS);
  const len = batch.length;
  for (let rep = 1; rep <= cfg.reps; rep++) {
    waitGo(rep);
    const deadline = performance.now() + cfg.durationMs;
    let n = 0;
    do {
      for (let k = 0; k < 4096; k += recs) {
        for (let r = 0, o = 0; r < recs; r++, o += RECORD_WORDS) {
          batch[o] = n;
          batch[o + 1] = 1;
          batch[o + 2] = n;
          batch[o + 3] = 7;
          batch[o + 4] = 0.5;
          batch[o + 5] = 2.5;
          n++;
        }
        // push() writes what fits (possibly part of a record), so loop until the whole batch is in.
        for (let off = 0; off < len; ) off += rb.push(batch, len - off, off);
      }
    } while (performance.now() < deadline);
    producerDone(rep, n);
  }
}

function ringbufConsumer(): void {
  const rb = new RingBuffer(cfg.ring!, Float64Array);
  const buf = new Float64Array(64 * RECORD_WORDS);
  for (let rep = 1; rep <= cfg.reps; rep++) {
    waitGo(rep);
    expected = 0;
    let have = 0; // elements of a partial record carried over from the previous pop
    for (;;) {
      const got = rb.pop(buf, buf.length - have, have);
      if (got === 0) {
        if (have === 0 && consumerCaughtUp(rep)) break;
        continue;
      }
      have += got;
      let o = 0;
      for (; o + RECORD_WORDS <= have; o += RECORD_WORDS) checkRecord(buf, o);
      if (o < have) buf.copyWithin(0, o, have);
      have -= o;
    }
    finish();
  }
}

interface PortMsg {
  t: number;
  src: number;
  seq: number;
  kind: number;
  a: number;
  b: number;
}

function portProducer(): void {
  const port = cfg.port!;
  for (let rep = 1; rep <= cfg.reps; rep++) {
    waitGo(rep);
    const deadline = performance.now() + cfg.durationMs;
    let n = 0;
    do {
      for (let k = 0; k < 1024; k++, n++) port.postMessage({ t: n, src: 1, seq: n, kind: 7, a: 0.5, b: 2.5 });
    } while (performance.now() < deadline);
    producerDone(rep, n);
    port.postMessage({ end: n });
  }
}

// Event-driven: it must not block in Atomics.wait, or no message would ever be delivered.
function portConsumer(): void {
  const port = cfg.port!;
  port.on('message', (m: PortMsg | { end: number }) => {
    if ('end' in m) {
      if (expected !== m.end) errors++;
      expected = 0;
      finish();
      return;
    }
    if (m.seq !== expected || m.t !== expected) errors++;
    expected++;
  });
}

// Party 0 decides when a repetition ends and tells the other through the barrier's sum-reduction, so both stop
// after the same crossing. DONE counts crossings here, added by party 0 only.
function barrierParty(): void {
  const b = Barrier.attach(cfg.ring!, cfg.partyId!);
  for (let rep = 1; rep <= cfg.reps; rep++) {
    waitGo(rep);
    const deadline = performance.now() + cfg.durationMs;
    let crossings = 0;
    let stop = 0;
    for (;;) {
      if (!b.arrive(crossings, stop)) throw new Error('barrier aborted');
      crossings++;
      if (b.sum > 0) break;
      if (cfg.partyId === 0 && (crossings & 1023) === 0 && performance.now() >= deadline) stop = 1;
    }
    if (cfg.partyId === 0) producerDone(rep, crossings);
    finish();
  }
}

const run: Record<string, () => void> = {
  'spsc/prod': spscProducer,
  'spsc/cons': spscConsumer,
  'ringbuf/prod': ringbufProducer,
  'ringbuf/cons': ringbufConsumer,
  'port/prod': portProducer,
  'port/cons': portConsumer,
  'barrier/party': barrierParty,
};

if (parentPort) run[`${cfg.kind}/${cfg.role}`]();
