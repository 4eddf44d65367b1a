// Issue #10 "Nothing lost, nothing hangs", through the real `ivsim` process (DESIGN §14): every minimal
// reproduction of the issue, each with a timeout so a hang fails instead of stalling the suite.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { livenessBound } from '../../core/test/liveness.ts';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ivsim-fm-cli-'));
const run = (args: string[], opts: { cwd?: string; timeout?: number; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    timeout: opts.timeout ?? 20_000,
    env: { ...process.env, ...opts.env },
  });

const SMALL = `name: t
arch: x86
schemes: [x86-vmx]
duration: 1ms
cpu: {freqGHz: 2}
host: {pcpus: 1}
vms: [{name: v, vcpus: 2}]
`;
function file(name: string, text: string | Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** Exit 2, an `error:` line per issue on stderr, the first matching `re`, no stack trace. */
function expectBadInput(r: ReturnType<typeof run>, re: RegExp) {
  expect(r.error, 'timed out or failed to spawn').toBeUndefined();
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  for (const line of lines) expect(line, r.stderr).toMatch(/^error: /);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

describe('failure model: the ivsim command', () => {
  it('run with a host.schedSlice rounding to 0 cycles on 2 shards: exit 2 naming the field, no hang', () => {
    const f = file(
      'slice0.yaml',
      SMALL.replace('host: {pcpus: 1}', 'host: {pcpus: 2, schedSlice: 0.1}').replace('vcpus: 2', 'vcpus: 4'),
    );
    expectBadInput(run(['run', f, '--shards', '2'], { timeout: 15_000 }), /^error: scenario\.host\.schedSlice: /);
  });

  it('validate /dev/zero: refused at once (not read into memory)', () => {
    expectBadInput(run(['validate', '/dev/zero'], { timeout: 10_000 }), /^error: \/dev\/zero: not a regular file/);
  });

  it('validate a FIFO: refused without blocking', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expectBadInput(run(['validate', fifo], { timeout: 10_000 }), /not a regular file/);
  });

  it('a scenario file above the size limit is refused', () => {
    const f = file('huge.yaml', `${SMALL}description: "${'x'.repeat(9 * 1024 * 1024)}"\n`);
    expectBadInput(run(['validate', f]), /more than the 8388608-byte scenario file limit/);
  });

  it.each(['constructor', 'toString', '__proto__'])('a file named %s is a file, not a built-in', (name) => {
    const sub = join(dir, `proto-${name}`);
    mkdirSync(sub);
    writeFileSync(join(sub, name), SMALL);
    const r = run(['validate', name], { cwd: sub });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('valid (t, x86');
  });

  it('bad UTF-8: exit 2 naming the field', () => {
    const f = file(
      'utf8.yaml',
      Buffer.concat([Buffer.from('name: "t'), Buffer.from([0xc3, 0x28]), Buffer.from(`"\n${SMALL.slice(8)}`)]),
    );
    expectBadInput(run(['validate', f]), /^error: scenario\.name: not valid UTF-8/);
  });

  it('run … --json --no-progress: an option is not taken as the output file', () => {
    const cwd = join(dir, 'json-opt');
    mkdirSync(cwd);
    expectBadInput(
      run(['run', 'x86-small', '--json', '--no-progress'], { cwd }),
      /--json: expected a file name, got "--no-progress"/,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--json into a missing directory fails before the run (exit 2 in well under the run time)', () => {
    const t0 = Date.now();
    expectBadInput(
      run(['run', 'x86-compare', '--json', join(dir, 'no/such/dir/out.json')]),
      /^error: --json: cannot write .*does not exist/,
    );
    expect(Date.now() - t0).toBeLessThan(livenessBound(3000));
  });

  it('--json onto a directory fails before the run', () => {
    expectBadInput(run(['run', 'x86-compare', '--json', dir]), /^error: --json: cannot write .*is a directory/);
  });

  it('--json is written atomically: complete JSON, no temp file left beside it', () => {
    const out = join(dir, 'atomic', 'r.json');
    mkdirSync(join(dir, 'atomic'));
    writeFileSync(out, 'old');
    const r = run(['run', 'x86-small', '--json', out, '--no-progress']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).scenario).toBe('x86-small');
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['r.json']);
  });

  it.each([
    [['--seed', '1e300'], /--seed must be an integer/],
    [['--seed', '9007199254740993'], /--seed must be an integer/],
    [['--duration', '0.1ns'], /^error: --duration: .*less than one cycle/],
    [['--duration', '1e308ns'], /^error: --duration: /],
  ])('run x86-small %j: exit 2 naming the flag', (flags, re) => {
    expectBadInput(run(['run', 'x86-small', ...flags]), re);
  });

  it.each([
    ['duration: 5e-324', SMALL.replace('duration: 1ms', 'duration: 5e-324'), /^error: scenario\.duration: /],
    [
      'count: 1e12',
      SMALL.replace('vcpus: 2}', 'vcpus: 2, count: 1000000000000}'),
      /^error: scenario\.vms\[0\]\.count: /,
    ],
  ])('%s: exit 2 naming the field', (_what, text, re) => {
    expectBadInput(run(['validate', file('m.yaml', text)]), re);
  });

  it("a typo'd key in a file without name: exit 2, the typo first (with the key meant), then the missing field", () => {
    const r = run(['validate', file('m.yaml', SMALL.replace('name: t\n', 'sed: 7\n'))]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'error: scenario.sed: unknown key (did you mean seed?)',
      expect.stringMatching(/^error: scenario\.name: /),
    ]);
  });

  it.each([
    [
      'a 10^12/s device rate',
      'devices: [{name: nic, vm: v, vector: 65, arrival: {process: poisson, rate: 1e12}}]\n',
      '',
      /scenario\.devices\[0\]\.arrival\.rate: the run needs/,
    ],
    [
      'a duration of days',
      'devices: [{name: nic, vm: v, vector: 65, arrival: {process: poisson, rate: 100000}}]\n',
      'duration: 3d',
      /scenario\.duration: /,
    ],
    [
      '10^5 vCPUs with timers and a NIC',
      'devices: [{name: nic, vm: v, vector: 65, arrival: {process: poisson, rate: 20000}}]\n',
      'vcpus',
      /the run needs/,
    ],
  ])('resource bomb (%s) is refused with exit 2 within seconds', (_what, devices, change, re) => {
    let text = SMALL.replace('duration: 1ms', 'duration: 250ms') + devices;
    if (change === 'duration: 3d') text = text.replace('duration: 250ms', 'duration: 259200s');
    if (change === 'vcpus')
      text = text
        .replace('vcpus: 2}', 'vcpus: 4, count: 25000, guest: {idle: {activeMean: 1ms, idleMean: 1ms}}}')
        .replace('pcpus: 1', 'pcpus: 4096');
    const t0 = Date.now();
    expectBadInput(run(['run', file('bomb.yaml', text)], { timeout: 10_000 }), re);
    expect(Date.now() - t0).toBeLessThan(livenessBound(5000));
    // --force passes the guard: the run then stops at the next check (the output directory), never simulating.
    expect(run(['run', file('bomb.yaml', text), '--force', '--json', '/nonexistent-ivsim-dir/r.json']).stderr).toMatch(
      /--json: cannot write .*does not exist/,
    );
  });

  it('progress with an ETA is shown on stderr when not on a TTY (a line every few seconds)', () => {
    const r = run(['run', 'x86-compare', '--duration', '100ms', '--shards', '1'], {
      env: { IVSIM_PROGRESS_MS: '300' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^progress: \d+\.\d% \| .* \| ETA \S+$/m);
  });

  /** Starts a long run and resolves once it prints its first progress line. */
  function startLongRun(): {
    child: ChildProcess;
    started: Promise<void>;
    exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  } {
    const child = spawn(
      process.execPath,
      [CLI, 'run', 'x86-compare', '--duration', '20s', '--shards', '2', '--force'],
      {
        env: { ...process.env, IVSIM_PROGRESS_MS: '100' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let resolveStarted: () => void = () => {};
    const started = new Promise<void>((r) => {
      resolveStarted = r;
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('progress:')) resolveStarted();
    });
    const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal, stderr })),
    );
    return { child, started, exited };
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s during a 2-shard run: cancelled, exit %i within 1 s, one line', async (sig, code) => {
    const { child, started, exited } = startLongRun();
    await started;
    const t0 = Date.now();
    child.kill(sig);
    const r = await exited;
    expect(Date.now() - t0).toBeLessThan(livenessBound(1000));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(code);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('progress:')),
    ).toEqual([`error: interrupted (${sig}): run cancelled`]);
  });

  it.runIf(existsSync('/usr/bin/script') && process.platform === 'linux')(
    'SIGTERM on a TTY restores the cursor the progress bar hid',
    async () => {
      const cmd = `exec ${process.execPath} ${CLI} run x86-compare --duration 20s --shards 2 --force`;
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      const hidden = new Promise<void>((r) =>
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString('latin1');
          if (out.includes('\x1b[?25l')) r();
        }),
      );
      await Promise.race([hidden, new Promise((r) => setTimeout(r, 15_000))]);
      expect(out).toContain('\x1b[?25l');
      // `exec` makes the shell inside script the ivsim process itself: its pid is script's child.
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
      process.kill(Number(kids[0]), 'SIGTERM');
      await exited;
      expect(out.slice(out.lastIndexOf('\x1b[?25l'))).toContain('\x1b[?25h');
    },
  );
});
