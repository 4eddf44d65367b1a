// Issue #10 "Nothing lost, nothing hangs", core side: each minimal reproduction of the issue is a case here
// (DESIGN §14). Input that would make the engine loop, overflow or lose exactness is refused at validation with
// the field named; the engine's watchdog fails a run whose virtual time stops advancing.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeRun, composeSim, runParts } from '../../src/run/compose.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenario/builtin.ts';
import { loadScenarioFile, ScenarioError, validateScenario } from '../../src/scenario/load.ts';
import { resolveCosts } from '../../src/scenario/resolve-costs.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests mutate arbitrary scenario fields
type Loose = any;
const small = (): Loose => structuredClone(BUILTIN_SCENARIOS['x86-small']);
const dir = mkdtempSync(join(tmpdir(), 'ivsim-fm-'));

function rejection(input: unknown): string {
  try {
    validateScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    const msg = (e as Error).message;
    // One issue per line, each naming its field.
    for (const line of msg.split('\n')) expect(line).toMatch(/^scenario[.[][^:]*: \S/);
    return msg;
  }
  throw new Error('accepted');
}

describe('input-driven infinite loops are refused at validation', () => {
  it('host.schedSlice that rounds to 0 cycles (0.1 ns at 2.1 GHz) names host.schedSlice', () => {
    const s = small();
    s.host.schedSlice = 0.1;
    expect(rejection(s)).toMatch(/^scenario\.host\.schedSlice: .*0 cycles/);
  });

  it('host.timerHz whose tick period rounds to 0 cycles names host.timerHz', () => {
    const s = small();
    s.host.timerHz = 1e10;
    expect(rejection(s)).toMatch(/scenario\.host\.timerHz: /);
  });
});

describe('the engine watchdog', () => {
  it('an event re-firing at the same virtual time fails the run naming the event type and the entity', () => {
    // Bypass validation to build the loop the schema now refuses: a 0-cycle slice on an overcommitted pCPU.
    const s = validateScenario({
      ...small(),
      host: { pcpus: 1, timerHz: 1000, scheduler: 'round-robin' }, // the policy whose period is the slice
      vms: [{ name: 'v', vcpus: 2 }],
      devices: [],
    });
    const parts = runParts(s, 'x86-vmx');
    const topo = { ...parts.topo, sliceCycles: 0 };
    const sim = composeSim({ ...parts, topo });
    sim.start();
    const t0 = performance.now();
    expect(() => sim.runUntil(topo.durationCycles)).toThrow(/no progress: .*EV_SLICE.* on pCPU 0/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('unbounded inputs', () => {
  it('vms[].count of 1e12 is refused at once, naming vms[0].count', () => {
    const s = small();
    s.vms[0].count = 1e12;
    const t0 = performance.now();
    expect(rejection(s)).toMatch(/^scenario\.vms\[0\]\.count: /);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('count × vcpus above the engine limit names the VM where the total is exceeded', () => {
    const s = small();
    s.vms[0].vcpus = 4096;
    s.vms[0].count = 1000;
    s.devices = [];
    expect(rejection(s)).toMatch(/^scenario\.vms\[0\]\.count: .*vCPUs/);
  });

  it('the vCPU bound is 2^20: a 10^6-vCPU fleet validates, 2^20 + 16 vCPUs names vms[1].count', () => {
    const s = small();
    s.devices = [];
    s.vms = [{ ...s.vms[0], name: 'a', vcpus: 16, count: 62_500, pin: 'spread' }];
    expect(() => validateScenario(s)).not.toThrow();
    s.vms = [
      { ...s.vms[0], name: 'a', count: 65_536 },
      { ...s.vms[0], name: 'b', count: 1 },
    ];
    expect(rejection(s)).toMatch(/^scenario\.vms\[1\]\.count: the scenario reaches more than 1048576 vCPUs/);
  });

  it.each([
    ['1e308 ns (Infinity cycles)', 1e308, /^scenario\.duration: /],
    ['5e-324 ns (0 cycles, perSecond: null)', 5e-324, /^scenario\.duration: .*less than one cycle/],
    ['0.1 ns at 2.1 GHz', 0.1, /^scenario\.duration: .*less than one cycle/],
    ['"1e400ms" (Infinity)', '1e400ms', /^scenario\.duration: /],
  ])('a duration of %s is refused', (_what, duration, re) => {
    const s = small();
    s.duration = duration;
    expect(rejection(s)).toMatch(re);
  });

  it('in-process bare-metal Sim with 140k vCPUs (= 140k pCPUs) builds (no Math.max(...spread) stack overflow)', () => {
    const s = validateScenario({
      ...small(),
      host: { pcpus: 1 },
      vms: [{ name: 'v', vcpus: 4, count: 35_000 }],
      devices: [],
    });
    const sim = composeRun(s, 'bare-metal');
    expect(sim.P).toBe(140_000);
  });

  it('a multi-MB scenario (60k VMs, 60k devices) validates in seconds, not O(VMs × devices)', () => {
    const n = 60_000;
    const s = small();
    s.vms = Array.from({ length: n }, (_, i) => ({ name: `vm${i}`, vcpus: 1 }));
    s.devices = Array.from({ length: n }, (_, i) => ({
      name: 'nic',
      vm: `vm${n - 1 - i}`,
      vector: 0x41,
      arrival: { process: 'poisson', rate: 1000 },
    }));
    s.host.pcpus = 64;
    const t0 = performance.now();
    validateScenario(s);
    expect(performance.now() - t0).toBeLessThan(4000);
  });
});

describe('non-integral costs', () => {
  it('fractional overrides are rounded to whole cycles at cost resolution', () => {
    const s = validateScenario({
      ...small(),
      costs: { preset: 'xeon-e5-kvm', overrides: { exitRoundTrip: 1300.5, ipiLatency: 150.25, msiDelivery: 0.4 } },
    });
    const c = resolveCosts(s);
    expect(c.exitRoundTrip).toBe(1301);
    expect(c.ipiLatency).toBe(150);
    expect(c.msiDelivery).toBe(0);
    for (const v of Object.values(c)) expect(Number.isInteger(v)).toBe(true);
  });

  it.each(['__proto__', 'constructor', 'toString'])('an override named %s is an error, not dropped', (key) => {
    const s = small();
    s.costs = { preset: 'default', overrides: JSON.parse(`{"${key}": 5}`) };
    expect(rejection(s)).toMatch(new RegExp(`scenario\\.costs\\.overrides\\.${key}: unknown cost entry`));
  });
});

describe('errors name the wrong field (every issue, wrong ones first)', () => {
  const noName = (): Loose => {
    const s = small();
    delete s.name;
    return s;
  };
  it.each([
    ["a typo'd key", (s: Loose) => (s.sed = 7), /^scenario\.sed: unknown key/],
    ['a string seed', (s: Loose) => (s.seed = '7'), /^scenario\.seed: /],
    ['a negative duration', (s: Loose) => (s.duration = -1), /^scenario\.duration: /],
    ['an unknown scheme', (s: Loose) => (s.schemes = ['x86-magic']), /^scenario\.schemes\[0\]: /],
    ['a typo in a nested key', (s: Loose) => (s.host.pcpu = 2), /^scenario\.host\.pcpu: unknown key/],
  ])(
    '%s in a file also missing `name`: the wrong field comes first, the missing one is still listed',
    (_w, mut, re) => {
      const s = noName();
      mut(s);
      const [first, ...rest] = rejection(s).split('\n');
      expect(first).toMatch(re);
      expect(rest).toContainEqual(expect.stringMatching(/^scenario\.name: /));
    },
  );
});

describe('files', () => {
  it('bad UTF-8 is an error naming the field, not a silent U+FFFD', () => {
    const f = join(dir, 'bad-utf8.yaml');
    const text =
      'name: "x86\xffsmall"\narch: x86\nschemes: [x86-vmx]\nduration: 1ms\ncpu: {freqGHz: 2}\nhost: {pcpus: 1}\nvms: [{name: v, vcpus: 1}]\n';
    writeFileSync(f, Buffer.from(text, 'latin1'));
    expect(() => loadScenarioFile(f)).toThrow(/^scenario\.name: not valid UTF-8 \(byte 0xff at line 1, column 11/);
  });
});
