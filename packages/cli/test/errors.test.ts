// Bad input through the real `ivsim` process: every issue of a scenario file at once, one `error:` line each with
// its path, exit 2; commander's own did-you-mean kept on its one line.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
const dir = mkdtempSync(join(tmpdir(), 'ivsim-errors-'));

const BROKEN = `name: broken
arch: x86
schemes: [x86-foo, x86-vmx]
cpu: {freqGHz: 2.1}
costs: {preset: default, overrides: {exitRoundTrp: 100}}
host: {pcpus: 2, schedular: cfs}
vms:
  - {name: vm, vcpus: 0}
devices:
  - {name: nic, vm: vm, vector: 48, arrival: {process: poisson, rat: 100000}}
`;

describe('scenario issues through the CLI', () => {
  it.each([['validate'], ['run']])(
    '%s of a broken file: the unknown scheme first, every other issue after it, exit 2',
    (cmd) => {
      const f = join(dir, 'broken.yaml');
      writeFileSync(f, BROKEN);
      const r = run(cmd, f);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        'error: scenario.schemes[0]: unknown scheme "x86-foo" (expected one of bare-metal, x86-emul, x86-vmx, x86-apicv-pi, x86-eli, x86-avic)',
        'error: scenario.costs.overrides.exitRoundTrp: unknown cost entry (did you mean exitRoundTrip?)',
        'error: scenario.host.schedular: unknown key (did you mean scheduler?)',
        'error: scenario.vms[0].vcpus: Too small: expected number to be >=1',
        'error: scenario.devices[0].arrival.rat: unknown key (did you mean rate?)',
        'error: scenario.duration: missing (a required field)',
        'error: scenario.devices[0].arrival.rate: missing (a required field: number)',
      ]);
    },
  );
});

describe("commander's did-you-mean survives the one-line error", () => {
  it.each([
    [['run', 'x86-small', '--schemes', 'x86-vmx'], "error: unknown option '--schemes' (Did you mean --scheme?)"],
    [['rnu', 'x86-small'], "error: unknown command 'rnu' (Did you mean run?)"],
    [['sweep', 'arm-lr-pressure', '--lr', '1,2'], "error: unknown option '--lr' (Did you mean --lrs?)"],
  ])('%j', (args, line) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([line]);
  });
});

describe('--set on run and sweep', () => {
  it('run: the overrides reach the run (results JSON); a bad path is exit 2 naming it', () => {
    const f = join(dir, 'set.json');
    const r = run(
      'run',
      'x86-small',
      '--set',
      'devices[0].arrival.rate=200000',
      '--set',
      'host.pcpus=4',
      '--set',
      'schemes=[x86-vmx]',
      '--duration',
      '2ms',
      '--no-progress',
      '--json',
      f,
    );
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(f, 'utf8'));
    expect(j.schemes.map((x: { scheme: string }) => x.scheme)).toEqual(['x86-vmx']);
    // 2 NIC queues at 200 K/s for 2 ms: ~800 device interrupts (the built-in's 100 K/s would raise ~400).
    expect(j.schemes[0].interrupts.raisedBySource.device).toBeGreaterThan(700);
    const bad = run('run', 'x86-small', '--set', 'devices[0].arrival.rat=1');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'error: --set devices[0].arrival.rat=1: scenario.devices[0].arrival.rat: unknown key (did you mean rate?)',
    ]);
  });

  it('sweep: --set changes the swept scenario', () => {
    const f = join(dir, 'sweep-set.json');
    const r = run(
      'sweep',
      'arm-lr-pressure',
      '--lrs',
      '2,4',
      '--set',
      'schemes=[arm-gicv3]',
      '--set',
      'duration=1ms',
      '--json',
      f,
    );
    expect(r.status, r.stderr).toBe(0);
    const points = JSON.parse(readFileSync(f, 'utf8')).points as { scheme: string; listRegs: number }[];
    expect(points.map((p) => `${p.scheme}@${p.listRegs}`)).toEqual(['arm-gicv3@2', 'arm-gicv3@4']);
    const bad = run('sweep', 'arm-lr-pressure', '--set', 'host.gic.listReg=2');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: --set host\.gic\.listReg=2: scenario\.host\.gic\.listReg: unknown key \(did you mean listRegs\?\)/,
    );
  });
});

/** The words of a shell command line as a POSIX shell splits them (single quotes only, which is all we use). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

describe('the commands in the comments of examples/*.yaml work as written', () => {
  const root = new URL('../../../', import.meta.url);
  const commands = readdirSync(new URL('examples/', root))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      readFileSync(new URL(`examples/${f}`, root), 'utf8')
        .split('\n')
        .map((l) => /^#\s+ivsim ((?:run|sweep) .*?)(?:\s+#.*)?$/.exec(l)?.[1])
        .filter((c): c is string => c !== undefined),
    );

  it('there are some', () => expect(commands.length).toBeGreaterThanOrEqual(10));

  // At 2 ms of virtual time (an extra --set) so that each takes a second or two.
  it.each(commands)('ivsim %s', (cmd) => {
    const r = spawnSync(process.execPath, [CLI, ...shellWords(cmd), '--set', 'duration=2ms'], {
      encoding: 'utf8',
      cwd: new URL('.', root).pathname,
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/^error:/m);
  });
});
