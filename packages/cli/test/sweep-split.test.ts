// `ivsim sweep F` over a scenario's sweep: block and `ivsim merge`, as a user runs them (compiled dist/, a real
// process): the split sweep merged equals the unsplit one byte for byte outside `engine`; JSON and CSV shapes; the
// part index from --index or the batch systems' variables; every refusal a one-line error with exit 2, before any
// point runs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const EXAMPLE = new URL('../../../examples/nic-rate-sweep.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ivsim-sweep-'));
/** No batch-system variables from the environment the tests run in. */
const clean = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'JOB_COMPLETION_INDEX' && !k.startsWith('SLURM_ARRAY_')),
);
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...clean, ...env } });
const SHORT = ['--set', 'duration=1ms'];
const at = (f: string) => join(dir, f);
const outsideEngine = (file: string) => readFileSync(file, 'utf8').replace(/\n {2}"engine": \{[^}]*\},?/, '');

/** Exit 2 and exactly one line on stderr matching `re`, no stack trace. */
function refused(r: ReturnType<typeof run>, re: RegExp) {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(re);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

describe('ivsim sweep (sweep: block) and ivsim merge', () => {
  it('Must show: --index 0/1 --count 2 merged equals the unsplit sweep byte for byte outside engine', () => {
    const whole = run(['sweep', EXAMPLE, ...SHORT, '--json', at('whole.json'), '--csv', at('whole.csv')]);
    expect(whole.status, whole.stderr).toBe(0);
    for (const i of [0, 1]) {
      const r = run(['sweep', EXAMPLE, ...SHORT, '--index', String(i), '--count', '2', '--json', at(`part-${i}.json`)]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`part ${i} of 2 (6 points)`);
    }
    const m = run([
      'merge',
      at('part-1.json'),
      at('part-0.json'),
      '--json',
      at('merged.json'),
      '--csv',
      at('merged.csv'),
    ]);
    expect(m.status, m.stderr).toBe(0);
    const merged = readFileSync(at('merged.json'), 'utf8');
    const unsplit = readFileSync(at('whole.json'), 'utf8');
    expect(merged).not.toBe(unsplit); // the engine block differs (wall time, parts) …
    expect(outsideEngine(at('merged.json'))).toBe(outsideEngine(at('whole.json'))); // … and nothing else
    expect(readFileSync(at('merged.csv'), 'utf8')).toBe(readFileSync(at('whole.csv'), 'utf8'));
    const j = JSON.parse(merged);
    expect(j.engine.parts).toBe(2);
    expect(j.engine.events).toBe(JSON.parse(unsplit).engine.events);
    expect(j.points).toHaveLength(12);
    // The table prints one row per point × scheme.
    expect(m.stdout.split('\n').filter((l) => /^\d+\s/.test(l))).toHaveLength(24);
  });

  it('a part file carries its point indices and the sweep fingerprint; the JSON keeps the results shape per point', () => {
    const p = JSON.parse(readFileSync(at('part-1.json'), 'utf8'));
    expect(p.part).toEqual({ index: 1, count: 2, points: [1, 3, 5, 7, 9, 11] });
    expect(p.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const w = JSON.parse(readFileSync(at('whole.json'), 'utf8'));
    expect(w.part).toBeUndefined();
    expect(w.fingerprint).toBe(p.fingerprint);
    expect(w.axes.map((a: { path: string }) => a.path)).toEqual([
      'devices[0].arrival.rate',
      'costs.overrides.exitRoundTrip',
      'seed',
    ]);
    const pt = w.points[7];
    expect(pt.values).toEqual({ 'devices[0].arrival.rate': 50000, 'costs.overrides.exitRoundTrip': 2600, seed: 2 });
    expect(pt.seed).toBe(2);
    const vmx = pt.schemes.find((s: { scheme: string }) => s.scheme === 'x86-vmx');
    expect(Object.keys(vmx)).toEqual(expect.arrayContaining(['interrupts', 'latencyNs', 'exits', 'cpu', 'histograms']));
    // A dearer exit costs x86-vmx guest CPU at the same rate and seed (point 7 vs point 5).
    const cheap = w.points[5].schemes.find((s: { scheme: string }) => s.scheme === 'x86-vmx');
    expect(vmx.cpu.relativeToBareMetal).toBeLessThan(cheap.cpu.relativeToBareMetal);
  });

  it('CSV: one row per point × scheme, the axes as columns', () => {
    const lines = readFileSync(at('whole.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'point,devices[0].arrival.rate,costs.overrides.exitRoundTrip,seed,scheme,raised,delivered,coalesced,pending,' +
        'delivery_mean_ns,delivery_p50_ns,delivery_p99_ns,delivery_p999_ns,completion_p50_ns,completion_p99_ns,' +
        'completion_p999_ns,exits,exits_per_s,guest_share,relative_to_bare_metal,conserved',
    );
    expect(lines).toHaveLength(1 + 12 * 2);
    expect(lines[1]).toMatch(/^0,20000,1300,1,x86-vmx,\d+,/);
    expect(lines[24]).toMatch(/^11,100000,2600,2,x86-apicv-pi,\d+,.*,true$/);
  });

  it('--json - writes pure JSON to standard output (the table goes to standard error)', () => {
    const r = run(['sweep', EXAMPLE, ...SHORT, '--set', 'sweep.axes=[{path: seed, values: [3, 4]}]', '--json', '-']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.points.map((p: { values: unknown }) => p.values)).toEqual([{ seed: 3 }, { seed: 4 }]);
    expect(r.stderr).toContain('sweep of 2 points over seed');
  });

  it('the part index from JOB_COMPLETION_INDEX (with --count) or SLURM_ARRAY_TASK_ID / _MIN / _COUNT', () => {
    const k8s = run(['sweep', EXAMPLE, ...SHORT, '--count', '4', '--json', at('k.json')], {
      JOB_COMPLETION_INDEX: '3',
    });
    expect(k8s.status, k8s.stderr).toBe(0);
    expect(JSON.parse(readFileSync(at('k.json'), 'utf8')).part).toEqual({ index: 3, count: 4, points: [3, 7, 11] });
    const slurm = run(['sweep', EXAMPLE, ...SHORT, '--json', at('s.json')], {
      SLURM_ARRAY_TASK_ID: '7',
      SLURM_ARRAY_TASK_MIN: '5',
      SLURM_ARRAY_TASK_COUNT: '5',
    });
    expect(slurm.status, slurm.stderr).toBe(0);
    expect(slurm.stderr).toContain('part 2 of 5 (from SLURM_ARRAY_TASK_ID): 2 of 12 points');
    expect(JSON.parse(readFileSync(at('s.json'), 'utf8')).part.points).toEqual([2, 7]);
    // The flags win over the environment.
    const flags = run(['sweep', EXAMPLE, ...SHORT, '--index', '0', '--count', '6', '--json', at('f.json')], {
      JOB_COMPLETION_INDEX: '3',
    });
    expect(flags.status, flags.stderr).toBe(0);
    expect(JSON.parse(readFileSync(at('f.json'), 'utf8')).part.points).toEqual([0, 6]);
  });

  it.each([
    [
      'a value the schema refuses (before anything runs, no output written)',
      ['--set', 'sweep.axes[0].values=[20000, -1]'],
      {},
      /^error: scenario\.sweep\.axes\[0\]\.values\[1\] \(devices\[0\]\.arrival\.rate = -1\): scenario\.devices\[0\]\.arrival\.rate: /,
    ],
    [
      'an axis path the schema lacks',
      ['--set', 'sweep.axes[1].path=costs.overrides.exitRoundTripp'],
      {},
      /^error: scenario\.sweep\.axes\[1\]\.path: scenario\.costs\.overrides\.exitRoundTripp: unknown key \(did you mean exitRoundTrip\?\)$/,
    ],
    [
      'an index past the count',
      ['--index', '2', '--count', '2'],
      {},
      /^error: --index\/--count: index must be an integer 0\.\.1, got 2$/,
    ],
    ['--index without --count', ['--index', '0'], {}, /^error: --index: needs --count/],
    ['--count without an index', ['--count', '2'], {}, /^error: --count: needs --index \(or JOB_COMPLETION_INDEX/],
    [
      'JOB_COMPLETION_INDEX without --count',
      [],
      { JOB_COMPLETION_INDEX: '1' },
      /^error: --count: required with JOB_COMPLETION_INDEX/,
    ],
    [
      'a malformed SLURM_ARRAY_TASK_ID',
      [],
      { SLURM_ARRAY_TASK_ID: 'x' },
      /^error: SLURM_ARRAY_TASK_ID: expected a non-negative integer, got "x"$/,
    ],
    ['--lrs on a sweep: block', ['--lrs', '1,2'], {}, /^error: --lrs: this scenario has a sweep: block/],
    ['two outputs on standard output', ['--json', '-', '--csv', '-'], {}, /^error: --json - and --csv -: only one/],
  ])('%s → one-line error, exit 2', (_what, extra: string[], env: NodeJS.ProcessEnv, re) => {
    const out = at('never.json');
    const args = ['sweep', EXAMPLE, ...SHORT, ...extra];
    refused(run(extra.includes('-') ? args : [...args, '--json', out], env), re);
    expect(existsSync(out)).toBe(false);
  });

  it('--csv / --index on a scenario without a sweep: block are refused', () => {
    refused(
      run(['sweep', 'arm-lr-pressure', '--csv', at('x.csv')]),
      /^error: --csv: only for a scenario with a sweep: block$/,
    );
    refused(run(['sweep', 'arm-lr-pressure', '--index', '0', '--count', '2']), /^error: --index: only for a scenario/);
  });

  it('merge refuses missing, duplicated, foreign and unreadable parts with one line, exit 2', () => {
    const other = run([
      'sweep',
      EXAMPLE,
      '--set',
      'duration=2ms',
      '--index',
      '1',
      '--count',
      '2',
      '--json',
      at('other-1.json'),
    ]);
    expect(other.status, other.stderr).toBe(0);
    writeFileSync(at('junk.json'), '{ not json');
    refused(run(['merge', at('part-0.json')]), /^error: merge: 6 of 12 points are in no part \(1, 3, 5, 7, 9, 11\)/);
    refused(
      run(['merge', at('part-0.json'), at('part-0.json'), at('part-1.json')]),
      /also in this file \(given twice\?\)/,
    );
    refused(
      run(['merge', at('part-0.json'), at('other-1.json')]),
      /^error: .*other-1\.json: sweep fingerprint [0-9a-f]{12} differs from .*part-0\.json's/,
    );
    refused(run(['merge', at('whole.json')]), /whole\.json: not a sweep part file/);
    refused(run(['merge', at('junk.json')]), /junk\.json: not valid JSON/);
    refused(run(['merge', at('nope.json')]), /nope\.json: cannot read part file \(ENOENT\)/);
  });

  it('ivsim run of a scenario with a sweep: block runs its base values and says so', () => {
    const r = run(['run', EXAMPLE, ...SHORT, '--shards', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('has a sweep: block; run simulates its base values');
  });
});
