// Barrier semantics in one thread (parties = 1, or a second party that never comes) and in real worker threads.

import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Barrier } from '../../src/mem/barrier.ts';
import { runInWorker } from './spawn.ts';

const spawned: Worker[] = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((w) => w.terminate()));
});

function start<T>(body: string, wd: Record<string, unknown>): Promise<T> {
  const { done, worker } = runInWorker<T>(body, wd);
  spawned.push(worker);
  return done;
}

// Contribution of party `id` in generation `g`; shared by the workers (as source text) and the expectations.
const CONTRIB_SRC = `
  const contrib = (g, id) => {
    const h = Math.imul(g + 1, 0x9e3779b1) ^ Math.imul(id + 1, 0x85ebca77);
    return (h >>> 8) % 7 === 0 ? Infinity : ((h >>> 4) % 100000) / 8; // Infinity = an idle shard
  };`;
const contrib = new Function(`${CONTRIB_SRC} return contrib;`)() as (g: number, id: number) => number;

interface ReduceReport {
  ok: number;
  bad: number;
  mins: number[];
  sums: number[];
}

// Each party runs `gens` generations and checks min/sum against its own recomputation; it also returns the
// first 200 results so the test checks them independently of the worker's code.
const REDUCE_BODY = `${CONTRIB_SRC}
  const b = mem.Barrier.attach(wd.sab, wd.id, { spin: wd.spin, cores: wd.cores });
  let ok = 0, bad = 0; const mins = [], sums = [];
  for (let g = 0; g < wd.gens; g++) {
    if (!b.arrive(contrib(g, wd.id), g * 10 + wd.id)) throw new Error('unexpected abort');
    let m = Infinity, s = 0;
    for (let i = 0; i < b.parties; i++) { m = Math.min(m, contrib(g, i)); s += g * 10 + i; }
    if (b.min === m && b.sum === s) ok++; else bad++;
    if (g < 200) { mins.push(b.min); sums.push(b.sum); }
  }
  return { ok, bad, mins, sums };`;

async function reduceRun(parties: number, gens: number, opts: { spin?: number; cores?: number } = {}) {
  const sab = Barrier.create(parties).buffer;
  return Promise.all(
    Array.from({ length: parties }, (_, id) => start<ReduceReport>(REDUCE_BODY, { sab, id, gens, ...opts })),
  );
}

function expectReductions(reports: ReduceReport[], parties: number, gens: number): void {
  for (const r of reports) {
    expect(r.bad).toBe(0);
    expect(r.ok).toBe(gens);
    for (let g = 0; g < r.mins.length; g++) {
      const ids = Array.from({ length: parties }, (_, i) => i);
      expect(r.mins[g]).toBe(Math.min(...ids.map((i) => contrib(g, i))));
      expect(r.sums[g]).toBe(ids.reduce((s, i) => s + g * 10 + i, 0));
    }
  }
}

describe('Barrier in one thread', () => {
  it('with one party, reduces its own contribution every generation', () => {
    const b = Barrier.create(1);
    for (let g = 0; g < 5; g++) {
      expect(b.generation).toBe(g);
      expect(b.arrive(g * 1.5, g)).toBe(true);
      expect(b.min).toBe(g * 1.5);
      expect(b.sum).toBe(g);
    }
  });

  it('returns false at once after an abort, keeping the first code', () => {
    const b = Barrier.create(2, 0); // party 1 never arrives: without the abort this arrive would block forever
    expect(b.abortCode).toBe(0);
    expect(Barrier.abortBuffer(b.buffer, 5)).toBe(5);
    expect(b.abort(9)).toBe(5);
    expect(b.aborted).toBe(true);
    expect(Barrier.abortCodeOf(b.buffer)).toBe(5);
    expect(b.arrive(1, 1)).toBe(false);
  });

  it('validates ids, codes and buffers', () => {
    const b = Barrier.create(3);
    expect(() => Barrier.attach(b.buffer, 3)).toThrow(/party id/);
    expect(() => Barrier.attach(b.buffer, -1)).toThrow(/party id/);
    expect(() => b.abort(0)).toThrow(/non-zero/);
    expect(() => b.abort(2 ** 31)).toThrow(/int32/);
    expect(() => Barrier.attach(new SharedArrayBuffer(2048), 0)).toThrow(/no Barrier/);
    expect(() => Barrier.create(0)).toThrow(/parties/);
  });
});

describe('Barrier across worker threads', () => {
  it('computes min and sum correctly over 20 000 generations with 2 threads', async () => {
    expectReductions(await reduceRun(2, 20_000), 2, 20_000);
  });

  it('computes min and sum correctly over 2 000 generations with 4 threads on 2 cores (fixed spin)', async () => {
    // A pure spin barrier needs about one scheduler quantum per crossing here (limits.md §2.7); this checks that
    // spin-then-wait gets all parties through, the vitest timeout being the failure mode.
    expectReductions(await reduceRun(4, 2_000), 4, 2_000);
  });

  it('works as a pure wait barrier (spin = 0) with 3 threads', async () => {
    expectReductions(await reduceRun(3, 2_000, { spin: 0 }), 3, 2_000);
  });

  it('completes 5 000 generations with 8 threads on 2 cores with adaptive spin', async () => {
    expectReductions(await reduceRun(8, 5_000, { cores: 2 }), 8, 5_000);
  });

  it('abort by a party wakes every sleeping waiter promptly with the abort code', async () => {
    const sab = Barrier.create(4).buffer;
    const ready = new Int32Array(new SharedArrayBuffer(8));
    const waiterBody = `
      const b = mem.Barrier.attach(wd.sab, wd.id, { spin: 1000 });
      const r = new Int32Array(wd.ready); Atomics.add(r, 0, 1);
      const ok = b.arrive(1, 1);
      return { ok, code: b.abortCode, at: Date.now() };`;
    const waiters = [0, 1].map((id) =>
      start<{ ok: boolean; code: number; at: number }>(waiterBody, { sab, id, ready: ready.buffer }),
    );
    // Party 2 aborts once both waiters are in arrive() and long past their 1000 spins, i.e. asleep.
    const aborterBody = `
      const b = mem.Barrier.attach(wd.sab, 2);
      const r = new Int32Array(wd.ready);
      while (Atomics.load(r, 0) < 2) Atomics.wait(r, 0, Atomics.load(r, 0), 5);
      Atomics.wait(r, 1, 0, 200);
      const at = Date.now(); b.abort(42);
      return { at, again: b.arrive(0, 0) };`;
    const aborter = await start<{ at: number; again: boolean }>(aborterBody, { sab, ready: ready.buffer });
    expect(aborter.again).toBe(false);
    for (const w of await Promise.all(waiters)) {
      expect(w.ok).toBe(false);
      expect(w.code).toBe(42);
      // Liveness, not performance: a missed wake-up would hang until the test timeout instead.
      expect(w.at - aborter.at).toBeLessThan(5_000);
    }
  });

  it('a non-party (the main thread) can abort when a shard throws', async () => {
    const sab = Barrier.create(3).buffer;
    const body = `
      const b = mem.Barrier.attach(wd.sab, wd.id);
      let gens = 0;
      while (b.arrive(gens, 1)) {
        gens++;
        if (wd.id === 2 && gens === 500) throw new Error('shard 2 failed');
      }
      return { gens, code: b.abortCode };`;
    const runs = [0, 1, 2].map((id) => {
      const { done, worker } = runInWorker<{ gens: number; code: number }>(body, { sab, id });
      spawned.push(worker);
      // The engine's pattern: a worker 'error' releases everyone else.
      worker.once('error', () => Barrier.abortBuffer(sab, 77));
      return done;
    });
    await expect(runs[2]).rejects.toThrow(/shard 2 failed/);
    for (const r of await Promise.all(runs.slice(0, 2))) {
      expect(r.code).toBe(77);
      // Generation 499 completed (shard 2 left it), but a party still asleep in it when the abort bumps GEN may
      // wake to the abort first: "a generation that completes concurrently with an abort may report success to
      // some parties" (barrier.ts) — so 499 or 500, never fewer, never a hang. (Seen under load as 499.)
      expect(r.gens).toBeGreaterThanOrEqual(499);
      expect(r.gens).toBeLessThanOrEqual(500);
    }
  });
});
