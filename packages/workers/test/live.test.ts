// Live mode: real threads run the posted-interrupt and list-register protocols over a SharedArrayBuffer, then the
// SPSC-ring baseline. The checker (closed-loop verdicts + the end-of-run audit) passes the correct protocols — also
// under SN/NV churn with random vectors and priorities — and catches each deliberately broken variant; a throwing
// thread fails the run with no threads left; stop() is clean and fast.

import { BUILTIN_SCENARIOS, type ScenarioInput } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { livenessBound } from '../../core/test/liveness.ts';
import { LiveFailure, LiveRun, runLive } from '../dist/index.js';
import { EOI_PLAIN_RMW } from '../dist/live/lr-live.js';
import { HARVEST_ON_CLEAR_AFTER_PIR, POST_ON_BEFORE_PIR, RELOAD_NO_PIR_CHECK } from '../dist/live/pi-live.js';
import { liveSchedule } from '../dist/live/run.js';

/** One vCPU with several vectors (so posts and harvests of one descriptor interleave), one poster. */
const small = (arch: 'x86' | 'arm'): ScenarioInput => ({
  name: `live-${arch}`,
  arch,
  schemes: [arch === 'x86' ? 'x86-apicv-pi' : 'arm-gicv3'],
  duration: '1ms',
  cpu: { freqGHz: 2 },
  host: { pcpus: 1 },
  vms: [{ name: 'vm', vcpus: 1 }],
  devices: [
    {
      name: 'nic',
      vm: 'vm',
      queues: arch === 'x86' ? [0, 0, 0, 0] : [0, 0],
      vector: 0x41,
      arrival: { process: 'poisson', rate: 1e5 },
    },
  ],
});

/** Two vCPUs, 14 single-queue devices on random distinct vectors (so random priority classes), random targets. */
const randomVectors = (seed: number): ScenarioInput => {
  let x = seed >>> 0 || 1;
  const rnd = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const used = new Set<number>([0xec, 0xfb]);
  const devices = [];
  for (let d = 0; d < 14; d++) {
    let v = 0x20 + rnd(0xea - 0x20);
    while (used.has(v)) v = 0x20 + rnd(0xea - 0x20);
    used.add(v);
    devices.push({
      name: `dev${d}`,
      vm: 'vm',
      queues: [rnd(2)],
      vector: v,
      arrival: { process: 'poisson' as const, rate: 2e4 * (1 + rnd(10)) },
    });
  }
  return {
    name: 'live-random-vectors',
    arch: 'x86',
    schemes: ['x86-apicv-pi'],
    duration: '1ms',
    cpu: { freqGHz: 2 },
    host: { pcpus: 2 },
    vms: [{ name: 'vm', vcpus: 2 }],
    devices,
  };
};

// A race window the broken variants widen with a busy loop, so the race is hit within the time bound on 2 cores.
const RACE_SPINS = 20_000;
const BOUND_S = 8;

describe('live protocols: the checker passes the correct ones', () => {
  it.each(['x86', 'arm'] as const)('closed loop, correct protocol (%s): no verdict, audit clean', async (arch) => {
    const r = await runLive(small(arch), { seconds: 0.4, threads: 2, closedLoop: true });
    const s = r.schemes[0];
    expect(s.interrupts.raised).toBeGreaterThan(0);
    expect(r.live.violations).toEqual({ verdicts: 0, stranded: 0, lost: 0, duplicated: 0 });
    expect(s.conservation.ok).toBe(true);
    expect(s.interrupts.raised).toBe(s.interrupts.delivered + s.interrupts.coalesced + s.interrupts.pending);
  });

  it.each([
    ['x86-compare', 'pi-descriptor'],
    ['arm-compare', 'ich-lr'],
  ])(
    'open loop, %s: the structure and the SPSC baseline, conservation per structure, results shape',
    async (name, structure) => {
      const r = await runLive(BUILTIN_SCENARIOS[name], { seconds: 0.3, threads: 2, rateScale: 1 });
      expect(r.clock).toBe('wall');
      expect(r.live.drive).toBe('paced');
      expect(r.engine.threads).toEqual({ posters: 1, vcpus: 1 });
      expect(r.live.structures).toEqual([structure, 'spsc-ring']);
      expect(r.schemes.map((s) => s.scheme)).toEqual([
        name === 'x86-compare' ? 'x86-apicv-pi' : 'arm-gicv3',
        'spsc-queue',
      ]);
      for (const s of r.schemes) {
        expect(s.interrupts.raised).toBeGreaterThan(1000);
        expect(s.conservation.ok).toBe(true);
        expect(Object.keys(s.structures)).toEqual([s.live.structure]);
        const st = s.structures[s.live.structure];
        expect(st.raised).toBe(st.delivered + st.coalesced + st.pending);
        expect(st.latencyNs.count).toBe(st.delivered);
        expect(s.live.violations).toEqual({ verdicts: 0, stranded: 0, lost: 0, duplicated: 0 });
        expect(typeof s.histograms.delivery).toBe('string');
      }
      // The baseline queues every interrupt as a record: nothing coalesces, the same offered load.
      expect(r.schemes[1].interrupts.coalesced).toBe(0);
      expect(r.schemes[1].interrupts.raised).toBeGreaterThan(0.5 * r.schemes[0].interrupts.raised);
    },
  );

  it.each([
    ['x86-compare', 'pi-descriptor'],
    ['arm-compare', 'ich-lr'],
  ])(
    'drive max (the default), %s: one in flight per source, nothing coalesces, both structures alternate',
    async (name) => {
      const r = await runLive(BUILTIN_SCENARIOS[name], { seconds: 0.5, threads: 2 });
      expect(r.live.drive).toBe('max');
      expect(r.live.segments).toBe(2);
      expect(r.live.offeredPerSecond).toBe(0);
      for (const s of r.schemes) {
        const i = s.interrupts;
        expect(i.delivered).toBeGreaterThan(1000);
        expect(i.coalesced).toBe(0);
        // At most one instance of each source in flight, so at most one per source left at the end.
        expect(i.pending).toBeLessThanOrEqual(r.live.sources);
        expect(i.raised).toBe(i.delivered + i.pending);
        expect(s.conservation.ok).toBe(true);
      }
      const mc = r.live.machine;
      expect(mc.cores).toBe(r.engine.cores);
      expect(mc.runCores).toBeGreaterThan(0);
      expect(mc.busyCores).toBeLessThanOrEqual(mc.cores + 0.05);
    },
  );

  it('segments: one structure runs once; two alternate A B B A in ~0.5 s segments of equal total', () => {
    expect(liveSchedule(1, 5)).toEqual([{ phase: 0, seconds: 5 }]);
    expect(liveSchedule(2, 0.3).map((x) => x.phase)).toEqual([0, 1]);
    const s = liveSchedule(2, 5);
    expect(s.map((x) => x.phase).join('')).toBe('01100110011001100110');
    for (const k of [0, 1]) expect(s.filter((x) => x.phase === k).reduce((a, x) => a + x.seconds, 0)).toBeCloseTo(5, 9);
  });

  it('saturated posting, x86: the audit holds under back-to-back posts, for PI and the SPSC baseline', async () => {
    const r = await runLive(BUILTIN_SCENARIOS['x86-compare'], { seconds: 0.3, threads: 2, drive: 'saturate' });
    expect(r.schemes.map((s) => s.conservation.ok)).toEqual([true, true]);
    expect(r.schemes[0].live.raisedPerSecond).toBeGreaterThan(1e5);
    expect(r.schemes[1].live.deliveredPerSecond).toBeGreaterThan(1e4);
  });
});

describe('live PI under SN toggling and NV switching (random vectors and priorities)', () => {
  it('closed loop with churn: 0 verdicts, 0 lost, SN toggled and NV switched concurrently with posts', async () => {
    // Runs until 1,000 posts have been checked (0.1–0.3 s on a quiet machine; a loaded one takes longer), bound 5 s.
    const run: LiveRun = new LiveRun(randomVectors(7), {
      seconds: 5,
      threads: 2,
      closedLoop: true,
      churnUs: 20,
      progressMs: 20,
      onProgress: (p) => {
        if (p.raised > 1000 && p.snToggles > 100 && p.blocks > 10) run.stop('enough');
      },
    });
    const r = await run.run();
    const s = r.schemes[0];
    expect(s.interrupts.raised).toBeGreaterThan(1000);
    expect(s.live.snToggles).toBeGreaterThan(100);
    expect(s.live.blocks).toBeGreaterThan(10);
    expect(r.live.violations).toEqual({ verdicts: 0, stranded: 0, lost: 0, duplicated: 0 });
    expect(s.conservation.ok).toBe(true);
  });

  it('saturated with churn: the audit finds 0 lost', async () => {
    const r = await runLive(randomVectors(11), {
      seconds: 0.5,
      threads: 2,
      drive: 'saturate',
      churnUs: 10,
      baseline: false,
    });
    const s = r.schemes[0];
    expect(s.live.snToggles).toBeGreaterThan(100);
    expect(s.live.wakeups).toBeGreaterThan(0);
    expect(s.interrupts.delivered).toBeGreaterThan(1000);
    expect(r.live.violations).toEqual({ verdicts: 0, stranded: 0, lost: 0, duplicated: 0 });
    expect(s.conservation.ok).toBe(true);
  });
});

describe('live protocols: the checker catches each broken variant', () => {
  it.each([
    ['x86', 'ON set before the PIR bit is visible', { post: POST_ON_BEFORE_PIR }],
    ['x86', 'ON cleared after the PIR harvest', { harvest: HARVEST_ON_CLEAR_AFTER_PIR }],
    ['arm', 'EOI as a plain load + store of ICH_LR', { eoi: EOI_PLAIN_RMW }],
    ['x86', 'SN cleared on reload without looking at the PIR (churn)', { reload: RELOAD_NO_PIR_CHECK }],
  ] as const)('%s: %s → a violation', async (arch, _label, variant) => {
    const t0 = performance.now();
    const r = await runLive(small(arch), {
      seconds: BOUND_S,
      threads: 2,
      closedLoop: true,
      stopOnViolation: true,
      variant: { ...variant, raceSpins: RACE_SPINS },
      churnUs: 'reload' in variant ? 20 : 0,
    });
    const v = r.live.violations;
    expect(v.verdicts + v.stranded + v.lost + v.duplicated).toBeGreaterThan(0);
    expect(r.schemes[0].conservation.ok).toBe(false);
    expect(r.live.stoppedBy).toBe('violation');
    expect(performance.now() - t0).toBeLessThan(livenessBound((BOUND_S + 2) * 1000));
  });
});

describe('live runs stop cleanly', () => {
  it.each([0, 1])('a throwing thread (%i) fails the run, leaving no threads', async (thread) => {
    const run = new LiveRun(BUILTIN_SCENARIOS['x86-compare'], {
      seconds: 10,
      threads: 2,
      fault: { thread, afterMs: 150 },
    });
    const t0 = performance.now();
    const err = await run.run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LiveFailure);
    expect((err as Error).message).toMatch(/injected fault/);
    expect(performance.now() - t0).toBeLessThan(livenessBound(3000));
    expect(run.liveThreads()).toBe(0);
  });

  it('stop() ends a long run within 1 s with results', async () => {
    const run = new LiveRun(BUILTIN_SCENARIOS['arm-compare'], { seconds: 60, threads: 2 });
    const p = run.run();
    // Stop 0.1 s into the second segment (the first baseline one), however long the threads took to start.
    while (run.progress().segment < 2) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    run.stop('test');
    const r = await p;
    expect(performance.now() - t0).toBeLessThan(livenessBound(1000));
    expect(r.live.stoppedBy).toBe('test');
    // The first list-register segment and part of the first baseline segment ran.
    expect(r.live.structures).toEqual(['ich-lr', 'spsc-ring']);
    expect(r.live.segments).toBe(2);
    for (const s of r.schemes) expect(s.conservation.ok).toBe(true);
    expect(run.liveThreads()).toBe(0);
  });
});
