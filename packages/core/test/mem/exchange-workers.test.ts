// The end-of-window exchange between real threads: each shard sends bursts far larger than its ring inside a window
// (the consumer drains only at the barrier), and every record must arrive, in order, in the same window.

import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Barrier } from '../../src/mem/barrier.ts';
import { SpscRing } from '../../src/mem/spsc-ring.ts';
import { runInWorker } from './spawn.ts';

const spawned: Worker[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((w) => w.terminate()));
});

interface ShardReport {
  received: number;
  errors: string[];
  maxRounds: number;
  spilledTotal: number;
  minMismatches: number;
}

// Shard `me` sends to every other shard j, in window w, burst(w, me, j) records
// [time, src, seq, kind = w, a = j, b = seq * 3] and checks what it receives: per source, seq must be consecutive and
// every record must arrive in the window it was sent in. It also checks the global min against its recomputation.
const SHARD_BODY = `
  const { Barrier, SpscRing, OutboundChannel, WindowExchange } = mem;
  const { shards, me, windows } = wd;
  const burst = (w, s, d) => ((w * 7 + s * 13 + d * 5) % 9) * 40 + (w % 3); // up to 322 ≫ capacity 16
  const sendTime = (w, s, d, i) => w * 100 + 20 + ((s * 31 + d * 7 + i) % 50);
  const localNext = (w, s) => w * 100 + 100 + ((w + s) % 4);
  const barrier = Barrier.attach(wd.barrier, me);
  const outs = [], ins = [], nextSeq = new Array(shards).fill(0), expectSeq = new Array(shards).fill(0);
  for (let j = 0; j < shards; j++) if (j !== me) {
    outs.push({ to: j, ch: new OutboundChannel(SpscRing.fromBuffer(wd.rings[me][j])) });
    ins.push(SpscRing.fromBuffer(wd.rings[j][me]));
  }
  const errors = []; let w = 0;
  const sink = (d, o) => {
    const src = d[o + 1], seq = d[o + 2];
    if (d[o + 4] !== me || d[o + 5] !== seq * 3) errors.length < 5 && errors.push('corrupt record from ' + src);
    if (seq !== expectSeq[src]) errors.length < 5 && errors.push('seq ' + seq + ' from ' + src + ' want ' + expectSeq[src]);
    if (d[o + 3] !== w) errors.length < 5 && errors.push('record of window ' + d[o + 3] + ' arrived in ' + w);
    expectSeq[src] = seq + 1;
  };
  const ex = new WindowExchange(barrier, outs.map((o) => o.ch), ins, sink);
  let received = 0, maxRounds = 0, minMismatches = 0;
  for (; w < windows; w++) {
    for (const { to, ch } of outs) {
      const n = burst(w, me, to);
      for (let i = 0; i < n; i++) { const s = nextSeq[to]++; ch.send(sendTime(w, me, to, i), me, s, w, to, s * 3); }
    }
    if (!ex.run(localNext(w, me))) throw new Error('aborted');
    received += ex.received;
    maxRounds = Math.max(maxRounds, ex.rounds);
    let m = Infinity;
    for (let s = 0; s < shards; s++) {
      m = Math.min(m, localNext(w, s));
      for (let d = 0; d < shards; d++) if (d !== s) for (let i = 0; i < burst(w, s, d); i++) m = Math.min(m, sendTime(w, s, d, i));
    }
    if (ex.globalMin !== m) minMismatches++;
  }
  return { received, errors, maxRounds, spilledTotal: outs.reduce((a, o) => a + o.ch.spilledTotal, 0), minMismatches };`;

const burst = (w: number, s: number, d: number) => ((w * 7 + s * 13 + d * 5) % 9) * 40 + (w % 3);

async function runShards(shards: number, windows: number, capacity: number): Promise<ShardReport[]> {
  const rings = Array.from({ length: shards }, (_, i) =>
    Array.from({ length: shards }, (_, j) => (i === j ? null : SpscRing.create(capacity, 6).buffer)),
  );
  const barrier = Barrier.create(shards).buffer;
  return Promise.all(
    Array.from({ length: shards }, (_, me) => {
      const { done, worker } = runInWorker<ShardReport>(SHARD_BODY, { shards, me, windows, rings, barrier });
      spawned.push(worker);
      worker.once('error', () => Barrier.abortBuffer(barrier, 1));
      return done;
    }),
  );
}

function expectComplete(reports: ShardReport[], shards: number, windows: number, capacity: number): void {
  reports.forEach((r, me) => {
    expect(r.errors).toEqual([]);
    expect(r.minMismatches).toBe(0);
    let want = 0;
    for (let w = 0; w < windows; w++) for (let s = 0; s < shards; s++) if (s !== me) want += burst(w, s, me);
    expect(r.received).toBe(want);
    // The bursts really did exceed the ring, so the spill path and the extra rounds were exercised.
    expect(r.spilledTotal).toBeGreaterThan(0);
    expect(r.maxRounds).toBeGreaterThan(1);
    expect(r.maxRounds).toBeLessThanOrEqual(1 + 2 * Math.ceil(330 / capacity));
  });
}

describe('WindowExchange across worker threads', () => {
  it('two shards: bursts beyond ring capacity arrive complete, in order, within their window', async () => {
    expectComplete(await runShards(2, 400, 16), 2, 400, 16);
  });

  it('three shards on 2 cores, full mesh', async () => {
    expectComplete(await runShards(3, 150, 16), 3, 150, 16);
  });
});
