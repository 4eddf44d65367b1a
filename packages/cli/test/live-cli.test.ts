// `ivsim live`: runs, prints the audit, and stops within a second on SIGINT / SIGTERM (exit 130 / 143).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Runs the CLI; `signal` is sent `ms` after stderr first passes `after` (the run is under way, however loaded). */
function runCli(args: string[], signal?: { sig: NodeJS.Signals; after: (err: string) => boolean; ms: number }) {
  return new Promise<{ code: number | null; out: string; err: string; afterSignalMs: number }>((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    let sentAt = 0;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      err += d;
      if (signal && !armed && signal.after(err)) {
        armed = true;
        setTimeout(() => {
          sentAt = performance.now();
          p.kill(signal.sig);
        }, signal.ms);
      }
    });
    p.on('exit', (code) => resolve({ code, out, err, afterSignalMs: sentAt ? performance.now() - sentAt : 0 }));
  });
}

/** True once a progress line shows segment ≥ k (ticks are 1 s apart, so under load a segment number may be skipped). */
const pastSegment = (k: number) => (err: string) =>
  [...err.matchAll(/segment (\d+)\//g)].some((x) => Number(x[1]) >= k);

describe('ivsim live', () => {
  it('x86-small, default drive: PI and the SPSC baseline side by side, audits ok, machine load, progress', async () => {
    const r = await runCli(['live', 'x86-small', '--seconds', '0.4', '--threads', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/load: as fast as delivered .*one in flight per source/);
    expect(r.out).toMatch(/machine: [\d.]+ of \d+ cores busy on average \(this run [\d.]+, other processes [\d.]+\)/);
    expect(r.out).toMatch(/p50 ns +p99 ns +p99\.9 ns/);
    expect(r.out).toMatch(/^ {2}pi-descriptor +x86-apicv-pi /m);
    expect(r.out).toMatch(/^ {2}spsc-ring +spsc-queue /m);
    expect(r.out).toMatch(/PI notification batched by ON/);
    expect(r.out).toMatch(/pi-descriptor audit: ok — raised [\d,]+ = delivered [\d,]+ \+ coalesced 0 \+/);
    expect(r.out).toMatch(/spsc-ring audit: ok — raised [\d,]+ = delivered/);
    // Not a TTY: one progress line per tick (no carriage returns), each structure's delivered/s.
    expect(r.err).toMatch(
      /^live [\d.]+\/0\.8s {2}segment \d\/2 \((pi-descriptor|spsc-ring)\) {2}pi-descriptor .*delivered\/s/m,
    );
    expect(r.err).not.toMatch(/\r/);
  });

  it.runIf(existsSync('/usr/bin/script') && process.platform === 'linux')(
    'on a TTY the progress line rewrites itself (\\r, erase to end of line) and ends before the table',
    async () => {
      const cmd = `exec ${process.execPath} ${cli} live x86-small --seconds 1.2 --threads 2`;
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).toBe(0);
      const EL = '\x1b[K'; // erase to end of line
      const ticks = out.split('\r').filter((x) => /^live [\d.]+\/2\.4s {2}segment \d\/\d+ /.test(x) && x.includes(EL));
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      // The last tick is ended by a newline before the table.
      expect(out).toContain(`${EL}\r\nx86-small live`); // the pty turns \n into \r\n
    },
  );

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops a 60 s run within 1 s and still reports both structures', async (sig, code) => {
    const r = await runCli(['live', 'arm-compare', '--seconds', '60'], { sig, after: pastSegment(2), ms: 100 });
    expect(r.code).toBe(code);
    expect(r.out).toMatch(/ich-lr audit: ok/);
    expect(r.out).toMatch(/spsc-ring audit: ok/);
    expect(r.out).toMatch(new RegExp(`stopped by ${sig} after \\d+ segment`));
    expect(r.afterSignalMs).toBeLessThan(1000);
  });

  it("--rate sets the total offered rate (the scenario's arrival rates scaled to it); one pacing flag at a time", async () => {
    const r = await runCli(['live', 'x86-small', '--seconds', '0.3', '--rate', '50000', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/load: paced at .*offered 50\.0k\/s/);
    for (const bad of [
      ['--rate', '1000', '--saturate'],
      ['--rate-scale', '2', '--saturate'],
    ]) {
      const both = await runCli(['live', 'x86-small', ...bad]);
      expect(both.code).toBe(2);
      expect(both.err.trim().split('\n')).toHaveLength(1);
      expect(both.err).toMatch(new RegExp(bad[0]));
    }
  });

  it('--churn toggles SN and switches NV during the run (audit still ok; JSON has the toggles)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivsim-live-'));
    const json = join(dir, 'r.json');
    const r = await runCli(['live', 'x86-small', '--seconds', '0.3', '--churn', '20', '--no-progress', '--json', json]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/SN\/NV churn every ~20 µs/);
    expect(r.out).toMatch(/pi-descriptor audit: ok .*SN toggles [\d,]+/);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.live.churnUs).toBe(20);
    expect(j.schemes[0].live.snToggles).toBeGreaterThan(100);
    expect(j.schemes[0].live.blocks).toBeGreaterThan(0);
    // ARM has no SN / NV: refused, one line naming the flag.
    const arm = await runCli(['live', 'arm-compare', '--churn', '20']);
    expect(arm.code).toBe(2);
    expect(arm.err).toMatch(/^error: --churn: .*x86/);
  });

  it('bad --seconds / --churn is exit 2 with the flag named', async () => {
    for (const [flag, v] of [
      ['--seconds', 'abc'],
      ['--churn', '0'],
    ]) {
      const r = await runCli(['live', 'x86-small', flag, v]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(flag));
    }
  });
});
