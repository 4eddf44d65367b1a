// Scheme lanes (DESIGN §10): independent scheme runs side by side when one scheme cannot keep every shard busy. The
// plan is the cost model's; the results stay simulate()'s byte for byte outside `engine`; a failure or a cancel in
// one lane stops them all.

import { BUILTIN_SCENARIOS, type Results, type ScenarioInput, simulate, validateScenario } from '@ivsim/core';
import { schemePlan } from '@ivsim/core/internal';
import { describe, expect, it } from 'vitest';
import { ParallelRun, RunCancelled, ShardFailure } from '../dist/runner.js';
import { planLanes } from '../src/scheme-lanes.ts';

const strip = (r: Results) => JSON.stringify({ ...r, engine: undefined });
const short = (name: string, duration: string, extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
  ...structuredClone(BUILTIN_SCENARIOS[name]),
  duration,
  ...extra,
});
const lanesOf = (input: ScenarioInput, shards: number) => {
  const s = validateScenario(input);
  return planLanes(s, schemePlan(s).run, shards);
};

describe('planLanes', () => {
  it('big-vm on 2 shards: the VM stays whole, so two lanes of one shard, every scheme once', () => {
    const p = lanesOf(BUILTIN_SCENARIOS['big-vm'], 2);
    expect(p.shardsPerLane).toBe(1);
    expect(p.lanes).toHaveLength(2);
    expect(p.lanes.flat().sort()).toEqual([0, 1, 2]);
    expect(p.estimate?.laneCpu).toBeLessThan((p.estimate?.singleCpu ?? 0) / 1.15);
  });

  it('fleet on 2 shards balances as it is: one lane of both shards', () => {
    const p = lanesOf(BUILTIN_SCENARIOS.fleet, 2);
    expect(p.lanes).toEqual([[0, 1, 2]]);
    expect(p.shardsPerLane).toBe(2);
  });

  it('one lane with one shard, and with a forced partition (those exercise the synchronization)', () => {
    expect(lanesOf(BUILTIN_SCENARIOS['big-vm'], 1)).toEqual({ shardsPerLane: 1, lanes: [[0, 1, 2]], estimate: null });
    for (const partition of ['split', 'spread'] as const)
      expect(lanesOf({ ...BUILTIN_SCENARIOS['big-vm'], engine: { partition } }, 2).lanes).toEqual([[0, 1, 2]]);
  });

  it('never more lanes than shards or schemes; each lane in run-list order', () => {
    for (const name of Object.keys(BUILTIN_SCENARIOS))
      for (const shards of [2, 3, 4, 8]) {
        const p = lanesOf(BUILTIN_SCENARIOS[name], shards);
        const s = validateScenario(BUILTIN_SCENARIOS[name]);
        expect(p.lanes.length * p.shardsPerLane).toBeLessThanOrEqual(shards);
        expect(p.lanes.length).toBeLessThanOrEqual(schemePlan(s).run.length);
        expect(p.lanes.flat().sort((a, b) => a - b)).toEqual(schemePlan(s).run.map((_, i) => i));
        for (const l of p.lanes) expect([...l].sort((a, b) => a - b)).toEqual(l);
      }
  });
});

describe('runs in lanes', () => {
  it.each([
    ['big-vm', '2ms', 2, 2],
    ['x86-small', '20ms', 2, 2],
    ['arm-ipi-patterns', '5ms', 4, 4],
  ] as const)('%s (%s) on %i shards in %i lanes ⇒ simulate()’s results', async (name, duration, shards, lanes) => {
    const input = short(name, duration);
    const run = new ParallelRun(input, { shards });
    expect(run.lanes.lanes).toHaveLength(lanes);
    const r = await run.run();
    expect(r.engine.schemeLanes).toBe(lanes);
    expect(r.engine.shards).toBe(shards);
    expect(strip(r)).toBe(strip(simulate(input)));
    expect(run.liveThreads()).toBe(0);
  });

  it('a shard that throws in one lane fails the run with its thread and message; no thread is left', async () => {
    const run = new ParallelRun(short('big-vm', '20ms'), { shards: 2, fault: { shard: 1, atNs: 1e6 } });
    expect(run.lanes.lanes).toHaveLength(2);
    const err = await run.run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ShardFailure);
    expect((err as ShardFailure).shard).toBe(1);
    expect((err as Error).message).toMatch(/injected fault/);
    expect(run.liveThreads()).toBe(0);
  });

  it('cancel() stops every lane; progress names a running scheme and moves forward meanwhile', async () => {
    const run = new ParallelRun(short('big-vm', '200ms'), { shards: 2 });
    const p = run.run();
    let seen = run.progress();
    for (let i = 0; i < 200 && !(seen.scheme !== null && seen.events > 0); i++) {
      await new Promise((r) => setTimeout(r, 25));
      seen = run.progress();
    }
    expect(seen.scheme).not.toBeNull();
    expect(seen.fraction).toBeGreaterThan(0);
    expect(seen.fraction).toBeLessThan(1);
    expect(run.snapshot(0)).not.toBeNull();
    run.cancel();
    await expect(p).rejects.toBeInstanceOf(RunCancelled);
    expect(run.liveThreads()).toBe(0);
    expect(run.snapshot(0)).toBeNull();
  });
});
