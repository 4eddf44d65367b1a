// The general parameter sweep (param-sweep.ts): point order and overrides, every point validated with its issues named
// by the axis value that caused them, the part assignment (point k → part k mod N), and merging parts back into the
// whole sweep's JSON outside `engine`, with the refusals (other sweep, missing, duplicated points).

import { describe, expect, it } from 'vitest';
import {
  checkPart,
  mergeSweepParts,
  partPoints,
  pointCoordinates,
  runSweepPoints,
  type SweepResult,
  sweepPoints,
} from '../src/param-sweep.ts';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtin.ts';
import { ScenarioError } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { lrSweep } from '../src/sweep.ts';
import { microScenario } from './helpers.ts';

type Input = Record<string, unknown>;
const withSweep = (axes: { path: string; values: unknown[] }[], base: Input = microScenario('x86-vmx') as Input) => ({
  ...structuredClone(base),
  sweep: { axes },
});
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('expected a ScenarioError');
};
/** The JSON text with `engine` set aside: what must be byte-identical between a whole sweep and its merged parts. */
const outsideEngine = (r: SweepResult) => JSON.stringify({ ...r, engine: null }, null, 2);
/** A part as another machine would hand it over: through JSON text. */
const viaJson = (r: SweepResult): unknown => JSON.parse(JSON.stringify(r, null, 2));

describe('sweepPoints', () => {
  it('counts points in mixed radix, the first axis outermost, the last fastest', () => {
    expect([0, 1, 2, 3, 4, 5].map((k) => pointCoordinates([2, 3], k))).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    const plan = sweepPoints(
      withSweep([
        { path: 'devices[0].arrival.rate', values: [5000, 20000] },
        { path: 'seed', values: [1, 2, 3] },
      ]),
    );
    expect(plan.points.map((p) => p.values)).toEqual([
      [5000, 1],
      [5000, 2],
      [5000, 3],
      [20000, 1],
      [20000, 2],
      [20000, 3],
    ]);
    expect(plan.points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const p4 = plan.points[4].scenario;
    expect(p4.seed).toBe(2);
    expect(p4.devices[0].arrival).toEqual({ process: 'periodic', rate: 20000 });
    expect(p4.sweep).toBeUndefined(); // a point is a plain scenario
  });

  it('sweeps any field: schemes, vCPU counts, cost entries, times with units, whole objects', () => {
    const plan = sweepPoints(
      withSweep([
        { path: 'schemes', values: [['x86-vmx'], ['x86-apicv-pi', 'x86-eli']] },
        { path: 'vms[0].vcpus', values: [1, 2] },
        { path: 'costs.overrides.exitRoundTrip', values: [1300, 2600] },
        { path: 'duration', values: ['1ms'] },
        { path: 'vms[0].guest.handler', values: [{ dist: 'exponential', mean: '2us' }] },
      ]),
    );
    expect(plan.points).toHaveLength(8);
    const last = plan.points[7].scenario;
    expect(last.schemes).toEqual(['x86-apicv-pi', 'x86-eli']);
    expect(last.vms[0].vcpus).toBe(2);
    expect(last.costs.overrides.exitRoundTrip).toBe(2600);
    expect(last.duration).toBe(1_000_000);
    expect(last.vms[0].guest.handler).toEqual({ dist: 'exponential', mean: 2000 });
  });

  it('a value the schema refuses names sweep.axes[i].values[j], the path and the issue, before anything runs', () => {
    const msg = errorOf(() =>
      sweepPoints(
        withSweep([
          { path: 'seed', values: [1, 2] },
          { path: 'host.pcpus', values: [1, 0] },
        ]),
      ),
    );
    expect(msg.split('\n')[0]).toMatch(
      /^scenario\.sweep\.axes\[1\]\.values\[1\] \(host\.pcpus = 0\): scenario\.host\.pcpus: .*>=1/,
    );
    // The same bad value at every point it is part of (seed 1 and 2) is one issue, listed once.
    expect(msg.split('\n')).toHaveLength(1);
  });

  it('an issue of a combination (no single axis at fault) names the point and all its values', () => {
    // arm-gicv2 allows at most 8 vCPUs per VM: 16 vCPUs are fine under gicv3 and refused under gicv2.
    const arm: Input = {
      name: 'arm',
      arch: 'arm',
      schemes: ['arm-gicv3'],
      duration: '1ms',
      cpu: { freqGHz: 2 },
      host: { pcpus: 16 },
      vms: [{ name: 'vm', vcpus: 4 }],
    };
    const msg = errorOf(() =>
      sweepPoints(
        withSweep(
          [
            { path: 'schemes', values: [['arm-gicv3'], ['arm-gicv2']] },
            { path: 'vms[0].vcpus', values: [16] },
          ],
          arm,
        ),
      ),
    );
    expect(msg).toMatch(
      /^scenario\.sweep\.axes\[1\]\.values\[0\] \(vms\[0\]\.vcpus = 16\): .*arm-gicv2 supports at most 8/,
    );
  });

  it.each([
    [
      'an unknown key on the path (with the nearest one)',
      [{ path: 'devices[0].arrival.rat', values: [1] }],
      /^scenario\.sweep\.axes\[0\]\.path: scenario\.devices\[0\]\.arrival\.rat: unknown key \(did you mean rate\?\)$/,
    ],
    [
      'an index past the end of a list',
      [{ path: 'devices[3].vector', values: [70] }],
      /^scenario\.sweep\.axes\[0\]\.path: scenario\.devices has 1 entry; \[3\] is past its end$/,
    ],
    [
      'a malformed path',
      [{ path: 'devices..rate', values: [1] }],
      /^scenario\.sweep\.axes\[0\]\.path: expected a field path/,
    ],
    [
      'a path into the sweep itself',
      [{ path: 'sweep.axes', values: [[]] }],
      /^scenario\.sweep\.axes\[0\]\.path: a sweep cannot/,
    ],
    [
      'the same path twice',
      [
        { path: 'seed', values: [1] },
        { path: 'seed', values: [2] },
      ],
      /^scenario\.sweep\.axes\[1\]\.path: "seed" is already swept by sweep\.axes\[0\]$/,
    ],
    ['an axis with no values', [{ path: 'seed', values: [] }], /^scenario\.sweep\.axes\[0\]\.values: /],
    [
      'more points than the limit',
      [
        { path: 'seed', values: Array.from({ length: 101 }, (_, i) => i) },
        { path: 'host.timerHz', values: Array.from({ length: 100 }, (_, i) => i) },
      ],
      /^scenario\.sweep\.axes: 10100 points .* more than 10000$/,
    ],
  ])('%s is refused at the axis', (_what, axes, re) => {
    expect(errorOf(() => sweepPoints(withSweep(axes)))).toMatch(re);
  });

  it('a scenario without a sweep: block is refused', () => {
    expect(errorOf(() => sweepPoints(microScenario('x86-vmx')))).toMatch(/^scenario\.sweep: missing/);
  });

  it('the fingerprint is stable for one sweep and changes with any point', () => {
    const axes = [{ path: 'seed', values: [1, 2] }];
    const a = sweepPoints(withSweep(axes)).fingerprint;
    expect(sweepPoints(withSweep(axes)).fingerprint).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(sweepPoints(withSweep([{ path: 'seed', values: [1, 3] }])).fingerprint).not.toBe(a);
    const other = { ...(microScenario('x86-vmx') as Input), duration: '3ms' };
    expect(sweepPoints(withSweep(axes, other)).fingerprint).not.toBe(a);
  });
});

describe('parts and merge', () => {
  const plan = sweepPoints(
    withSweep([
      { path: 'devices[0].arrival.rate', values: [5000, 20000, 50000] },
      { path: 'seed', values: [1, 2] },
    ]),
  );
  const whole = runSweepPoints(plan);
  const part = (i: number, n: number) =>
    runSweepPoints(plan, partPoints(plan.points, i, n), { part: { index: i, count: n } });

  it('point k goes to part k mod N: the parts are disjoint and cover every point', () => {
    expect(partPoints(plan.points, 1, 4).map((p) => p.index)).toEqual([1, 5]);
    for (const n of [1, 2, 4, 7]) {
      const got = Array.from({ length: n }, (_, i) => partPoints(plan.points, i, n).map((p) => p.index)).flat();
      expect(got.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    }
    expect(() => checkPart(2, 2)).toThrow(/index must be an integer 0\.\.1, got 2/);
    expect(() => checkPart(0, 0)).toThrow(/count must be an integer ≥ 1/);
  });

  it('a part file names its points; a whole sweep has no part field', () => {
    const p = part(1, 2);
    expect(p.part).toEqual({ index: 1, count: 2, points: [1, 3, 5] });
    expect(p.points.map((x) => x.index)).toEqual([1, 3, 5]);
    expect(p.pointCount).toBe(6);
    expect(whole.part).toBeUndefined();
    expect(Object.keys(whole)).toEqual(['ivsim', 'scenario', 'fingerprint', 'axes', 'pointCount', 'engine', 'points']);
    expect(whole.points[3].values).toEqual({ 'devices[0].arrival.rate': 20000, seed: 2 });
    expect(whole.points[3].schemes.map((s) => s.scheme)).toEqual(['x86-vmx']);
    expect(whole.points[3].schemes[0].histograms.delivery.length).toBeGreaterThan(10);
  });

  it('merged parts (in any order, 2 or 3 of them) equal the whole sweep outside engine; engine counts are summed', () => {
    for (const n of [2, 3]) {
      const parts = Array.from({ length: n }, (_, i) => part(i, n)).reverse();
      const merged = mergeSweepParts(parts.map((p, i) => ({ name: `p${i}.json`, json: viaJson(p) })));
      expect(outsideEngine(merged)).toBe(outsideEngine(whole));
      expect(merged.engine.events).toBe(whole.engine.events);
      expect(merged.engine.simulatedInterrupts).toBe(whole.engine.simulatedInterrupts);
      expect(merged.engine.parts).toBe(n);
    }
    // Different rates give different results, so the merge really put each point back in its place.
    expect(whole.points[0].schemes[0].interrupts.raised).toBeLessThan(whole.points[4].schemes[0].interrupts.raised);
  });

  it('refuses parts of another sweep, duplicated or missing points, and files that are not parts', () => {
    const [p0, p1] = [viaJson(part(0, 2)), viaJson(part(1, 2))];
    const otherPlan = sweepPoints(withSweep([{ path: 'seed', values: [1, 2, 3, 4, 5, 6] }]));
    const other = viaJson(
      runSweepPoints(otherPlan, partPoints(otherPlan.points, 1, 2), { part: { index: 1, count: 2 } }),
    );
    const cases: [{ name: string; json: unknown }[], RegExp][] = [
      [
        [
          { name: 'a.json', json: p0 },
          { name: 'b.json', json: other },
        ],
        /^b\.json: sweep fingerprint [0-9a-f]{12} differs from a\.json's [0-9a-f]{12} \(parts of different sweeps/,
      ],
      [[{ name: 'a.json', json: p0 }], /^merge: 3 of 6 points are in no part \(1, 3, 5\); a part missing\?$/],
      [
        [
          { name: 'a.json', json: p0 },
          { name: 'b.json', json: p1 },
          { name: 'c.json', json: p1 },
        ],
        /^c\.json: point 1 is also in b\.json \(duplicate parts\)$/,
      ],
      [[{ name: 'w.json', json: viaJson(whole) }], /^w\.json: not a sweep part file/],
      [[{ name: 'x.json', json: [1, 2] }], /^x\.json: not a sweep part file/],
      [[], /^merge: expected at least one part file$/],
    ];
    for (const [parts, re] of cases) expect(errorOf(() => mergeSweepParts(parts))).toMatch(re);
    const tampered = viaJson(part(0, 2)) as SweepResult;
    tampered.points.pop();
    expect(errorOf(() => mergeSweepParts([{ name: 't.json', json: tampered }]))).toMatch(
      /^t\.json: its points \(0, 2\) are not the ones its "part" field lists$/,
    );
  });
});

describe('the LR sweep as a general sweep', () => {
  it('sweeping host.gic.listRegs gives the LR sweep’s maintenance exits and latencies', () => {
    const base = { ...structuredClone(BUILTIN_SCENARIOS['arm-lr-pressure']), duration: '2ms' } as Input;
    const lr = lrSweep(base as unknown as ScenarioInput, [1, 4]);
    const r = runSweepPoints(sweepPoints(withSweep([{ path: 'host.gic.listRegs', values: [1, 4] }], base)));
    const general = r.points.flatMap((p) =>
      p.schemes
        .filter((s) => s.scheme !== 'bare-metal')
        .map((s) => ({
          listRegs: p.values['host.gic.listRegs'],
          scheme: s.scheme,
          maintenanceExits: s.exits.byReason.MAINTENANCE ?? 0,
          p99: s.latencyNs.delivery.p99,
          relativeToBareMetal: s.cpu.relativeToBareMetal,
        })),
    );
    expect(general).toEqual(
      lr.points.map((p) => ({
        listRegs: p.listRegs,
        scheme: p.scheme,
        maintenanceExits: p.maintenanceExits,
        p99: p.deliveryNs.p99,
        relativeToBareMetal: p.relativeToBareMetal,
      })),
    );
    expect(general.some((g) => g.maintenanceExits > 0)).toBe(true);
  });
});
