// The `ivsim` command as a user runs it: compiled dist/, real process, exit statuses 0 / 2.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { livenessBound } from '../../core/test/liveness.ts';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'ivsim-cli-'));

describe('ivsim CLI', () => {
  it('lists built-in scenarios', () => {
    const r = run('scenarios');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('x86-compare');
    expect(r.stdout).toContain('x86-small');
  });

  it('runs a scenario, prints the side-by-side table and writes identical JSON (outside engine) twice', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const r1 = run('run', 'x86-small', '--json', a);
    const r2 = run('run', 'x86-small', '--json', b);
    expect(r1.status).toBe(0);
    expect(r2.status).toBe(0);
    for (const id of ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli']) expect(r1.stdout).toContain(id);
    expect(r1.stdout).toMatch(/dlv p50 µs\s+dlv p99 µs\s+dlv p99\.9 µs/);
    const ja = JSON.parse(readFileSync(a, 'utf8'));
    const jb = JSON.parse(readFileSync(b, 'utf8'));
    expect(ja.ivsim).toMatch(/^\d+\.\d+\.\d+$/);
    expect(ja.engine.shards).toBeGreaterThanOrEqual(1);
    ja.engine = jb.engine = null;
    expect(jb).toEqual(ja);
  });

  it('--scheme restricts the report; --seed changes the run', () => {
    const out = join(dir, 's.json');
    const r = run('run', 'x86-small', '--scheme', 'x86-vmx', '--seed', '9', '--json', out);
    expect(r.status).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.seed).toBe(9);
    expect(j.schemes.map((s: { scheme: string }) => s.scheme)).toEqual(['x86-vmx']);
    expect(j.schemes[0].cpu.relativeToBareMetal).toBeGreaterThan(0);
  });

  it.each([
    ['a malformed scenario file', ['run', 'BAD'], /^error: scenario\.vms\[0\]\.vcpus: /],
    ['a YAML syntax error', ['validate', 'SYNTAX'], /^error: .*not valid YAML\/JSON/],
    ['an unknown scenario', ['run', 'no-such-scenario'], /^error: no-such-scenario: no built-in scenario/],
    ['an unknown option', ['run', 'x86-small', '--frobnicate'], /^error: unknown option '--frobnicate'/],
    ['a bad --seed', ['run', 'x86-small', '--seed', '-1'], /--seed must be an integer/],
    ['an unknown scheme', ['run', 'x86-small', '--scheme', 'x86-magic'], /x86-magic/],
    ['a bad --shards', ['run', 'x86-small', '--shards', '0'], /--shards must be an integer ≥ 1/],
    ['too many --shards', ['run', 'x86-small', '--shards', '5000'], /^error: --shards: at most 256/],
    ['a bad --duration', ['run', 'x86-small', '--duration', 'soon'], /^error: --duration: expected a positive time/],
  ])('%s → one-line error naming the problem, exit 2, no stack trace', (_what, args, re) => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'name: bad\narch: x86\nschemes: [x86-vmx]\nduration: 1ms\ncpu: {freqGHz: 2}\nhost: {pcpus: 1}\nvms: [{name: v, vcpus: 0}]\n',
    );
    const syntax = join(dir, 'syntax.yaml');
    writeFileSync(syntax, 'name: [unclosed\n');
    const r = run(...args.map((a) => (a === 'BAD' ? bad : a === 'SYNTAX' ? syntax : a)));
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(re);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('--shards 1, 2 and 4 give identical results JSON outside engine (x86-compare)', () => {
    const outs = [1, 2, 4].map((n) => {
      const f = join(dir, `shards${n}.json`);
      const r = run('run', 'x86-compare', '--shards', String(n), '--json', f);
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(readFileSync(f, 'utf8'));
      expect(j.engine.shards).toBe(n);
      j.engine = null;
      return j;
    });
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  it('a shard that throws fails the run: exit 1, one line with the shard and its message', () => {
    // --no-progress: on a loaded machine the run can outlast the first non-TTY progress line (3 s).
    const t0 = Date.now();
    const r = spawnSync(
      process.execPath,
      [CLI, 'run', 'x86-compare', '--shards', '2', '--scheme', 'x86-vmx', '--no-progress'],
      {
        encoding: 'utf8',
        env: { ...process.env, IVSIM_INJECT_FAULT: '1@5ms' },
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: shard 1 failed: injected fault at virtual time \d+ cycles/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(livenessBound(10_000)); // whole process incl. startup; the in-process bound is 2 s
  });

  it('--duration overrides the virtual duration', () => {
    const f = join(dir, 'dur.json');
    const r = run('run', 'x86-small', '--duration', '2ms', '--scheme', 'x86-vmx', '--json', f);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(f, 'utf8')).durationNs).toBe(2e6);
  });

  it('starvation is visible: the LR sweep marks 1 LR STARVED with its pending count and censored latency', () => {
    const f = join(dir, 'sweep.json');
    const r = run('sweep', 'arm-lr-pressure', '--lrs', '1,4', '--json', f);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\d+\s+arm-gic/.test(l));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.endsWith('STARVED')).toBe(row.startsWith('1 '));
    expect(r.stdout).toMatch(/dlv\+pend mean µs/);
    const j = JSON.parse(readFileSync(f, 'utf8'));
    const one = j.points.filter((p: { listRegs: number }) => p.listRegs === 1);
    expect(
      one.every((p: { pending: { starved: boolean; count: number } }) => p.pending.starved && p.pending.count > 0),
    ).toBe(true);
  });

  it('a run whose schemes go side by side says so: big-vm on 2 shards runs in 2 scheme lanes', () => {
    const r = run('run', 'big-vm', '--shards', '2', '--duration', '1ms');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^engine: 2 shard\(s\) in 2 scheme lanes, /m);
  });

  it('an LR sweep with --json - keeps standard output pure JSON (the table goes to standard error)', () => {
    const r = run('sweep', 'arm-lr-pressure', '--lrs', '2', '--set', 'duration=1ms', '--json', '-');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).points.map((p: { listRegs: number }) => p.listRegs)).toEqual([2, 2]);
    expect(r.stderr).toMatch(/dlv\+pend mean µs/);
  });

  it('run of a NAPI scenario adds the packets table (packets/s, packet latency, interrupts per packet, drops)', () => {
    const r = run('run', 'moderation-sweep', '--duration', '5ms');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/scheme\s+packets\/s\s+pkt p50 µs\s+pkt p99 µs\s+irqs\/pkt\s+dropped\s+in ring/);
    const rows = r.stdout
      .split('\n')
      .filter((l) => /^(bare-metal|x86-\S+)\s+\d+\s+\d+\.\d\d\s+\d+\.\d\d\s+0\.\d{3}\s/.test(l));
    expect(rows).toHaveLength(5);
  });

  it('moderation sweep: `sweep moderation-sweep --intervals` prints one row per setting and scheme, interrupts falling', () => {
    const f = join(dir, 'msweep.json');
    const r = run('sweep', 'moderation-sweep', '--intervals', '0,50us,adaptive', '--json', f);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^(off|50\.00µs|adaptive)\s+(bare-metal|x86-)/.test(l));
    expect(rows).toHaveLength(15);
    const j = JSON.parse(readFileSync(f, 'utf8'));
    const irq = (m: number | string) =>
      j.points.find(
        (p: { moderation: number | string; scheme: string }) => p.moderation === m && p.scheme === 'x86-vmx',
      ).deviceInterruptsPerSecond;
    expect(irq(50_000)).toBeLessThan(irq(0));
    const bad = run('sweep', 'moderation-sweep', '--intervals', '0,fast');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--intervals\[1\]: expected a time/);
    const both = run('sweep', 'moderation-sweep', '--intervals', '0', '--lrs', '4');
    expect(both.status).toBe(2);
  });

  it('the run table shows what is still pending, and says when a scheme starved', () => {
    const scen = join(dir, 'starve.json');
    writeFileSync(
      scen,
      JSON.stringify({
        name: 'starve', // arm-lr-pressure with a single list register
        arch: 'arm',
        schemes: ['arm-gicv3'],
        seed: 11,
        duration: '20ms',
        cpu: { freqGHz: 2 },
        costs: { preset: 'arm-kvm-vhe' },
        host: { pcpus: 2, timerHz: 250, gic: { listRegs: 1 } },
        vms: [
          { name: 'vm', vcpus: 2, guest: { handler: { dist: 'exponential', mean: '800ns' }, ipi: { rate: 1000 } } },
        ],
        devices: [
          {
            name: 'mq',
            vm: 'vm',
            kind: 'nvme',
            queues: Array(12).fill(0),
            vector: 0x50,
            arrival: { process: 'periodic', rate: 10000 },
          },
          { name: 'nic', vm: 'vm', kind: 'nic', vector: 0x41, arrival: { process: 'poisson', rate: 50000 } },
        ],
      }),
    );
    const r = run('run', scen, '--no-progress');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\bpending\b/);
    expect(r.stdout).toMatch(/arm-gicv3: STARVED — \d+ interrupts still pending/);
    expect(r.stderr).toMatch(/^warning: arm-gicv3 ran saturated: .*still pending at the end/m);
  });

  it('--version prints the version; scenarios --show prints a built-in as YAML that runs like the built-in', () => {
    const v = run('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const show = run('scenarios', '--show', 'x86-small');
    expect(show.status).toBe(0);
    const file = join(dir, 'x86-small.yaml');
    writeFileSync(file, show.stdout);
    const a = join(dir, 'show-a.json');
    const b = join(dir, 'show-b.json');
    expect(run('run', file, '--duration', '2ms', '--json', a).status).toBe(0);
    expect(run('run', 'x86-small', '--duration', '2ms', '--json', b).status).toBe(0);
    const ja = JSON.parse(readFileSync(a, 'utf8'));
    const jb = JSON.parse(readFileSync(b, 'utf8'));
    ja.engine = jb.engine = null;
    expect(ja).toEqual(jb);
    const bad = run('scenarios', '--show', 'nope');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("--exits prints a perf-kvm-stat-style table per scheme whose counts are the results JSON's; the table has a legend", () => {
    const f = join(dir, 'exits.json');
    const r = run('run', 'x86-small', '--exits', '--duration', '5ms', '--json', f, '--no-progress');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/dlv = delivery \(raise → first handler instruction\)/);
    const j = JSON.parse(readFileSync(f, 'utf8'));
    const vmx = j.schemes.find((x: { scheme: string }) => x.scheme === 'x86-vmx');
    const block = r.stdout.split('x86-vmx: VM exits')[1].split('\n\n')[0];
    expect(block).toMatch(/reason\s+exits\s+exits\/s\s+exits %\s+time %\s+mean ns\s+mean cycles/);
    for (const [reason, n] of Object.entries(vmx.exits.byReason))
      expect(block).toMatch(new RegExp(`\\n${reason}\\s+${n}\\s`));
    expect(block).toMatch(new RegExp(`\\ntotal\\s+${vmx.exits.total}\\s`));
  });

  it('--json - writes the results JSON to standard output and the table to standard error', () => {
    const r = run('run', 'x86-small', '--duration', '2ms', '--json', '-', '--no-progress');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.scenario).toBe('x86-small');
    expect(r.stderr).toMatch(/dlv p50 µs/);
  });

  it('a scheme that coalesces most of its interrupts gets a saturation warning on stderr; a healthy run none', () => {
    const hot = join(dir, 'hot.json');
    writeFileSync(
      hot,
      JSON.stringify({
        name: 'hot',
        arch: 'x86',
        schemes: ['x86-vmx'],
        duration: '2ms',
        cpu: { freqGHz: 2 },
        host: { pcpus: 1, timerHz: 0 },
        vms: [{ name: 'v', vcpus: 1, guest: { handler: { dist: 'fixed', value: '20us' } } }],
        devices: [{ name: 'nic', vm: 'v', vector: 0x41, arrival: { process: 'poisson', rate: 500000 } }],
      }),
    );
    const r = run('run', hot, '--no-progress');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: x86-vmx ran saturated: \d+\.\d% of its interrupts coalesced/m);
    expect(r.stderr).not.toMatch(/warning: bare-metal/);
    expect(run('run', 'x86-small', '--duration', '2ms', '--no-progress').stderr).not.toMatch(/warning:/);
  });

  it('validate accepts a good file', () => {
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        name: 'good',
        arch: 'x86',
        schemes: ['x86-vmx'],
        duration: '1ms',
        cpu: { freqGHz: 2 },
        host: { pcpus: 1 },
        vms: [{ name: 'v', vcpus: 1 }],
      }),
    );
    const r = run('validate', good);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('valid');
  });
});
