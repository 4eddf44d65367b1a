// `ivsim live`: runs, prints the audit, and stops within a second on SIGINT / SIGTERM (exit 130 / 143).

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function runCli(args: string[], signalAfterMs?: { sig: NodeJS.Signals; ms: number }) {
  return new Promise<{ code: number | null; out: string; err: string; afterSignalMs: number }>((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sentAt = 0;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    if (signalAfterMs)
      setTimeout(() => {
        sentAt = performance.now();
        p.kill(signalAfterMs.sig);
      }, signalAfterMs.ms);
    p.on('exit', (code) => resolve({ code, out, err, afterSignalMs: sentAt ? performance.now() - sentAt : 0 }));
  });
}

describe('ivsim live', () => {
  it('x86-small for 0.4 s per structure: PI and the SPSC baseline side by side, audits ok, exit 0, progress', async () => {
    const r = await runCli(['live', 'x86-small', '--seconds', '0.4', '--threads', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/p50 ns +p99 ns +p99\.9 ns/);
    expect(r.out).toMatch(/^ {2}pi-descriptor +x86-apicv-pi /m);
    expect(r.out).toMatch(/^ {2}spsc-ring +spsc-queue /m);
    expect(r.out).toMatch(/pi-descriptor audit: ok — raised [\d,]+ = delivered/);
    expect(r.out).toMatch(/spsc-ring audit: ok — raised [\d,]+ = delivered/);
    expect(r.err).toMatch(/live pi-descriptor \(1\/2\)/);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops a 60 s run within 1 s and still reports', async (sig, code) => {
    const r = await runCli(['live', 'arm-compare', '--seconds', '60', '--no-progress'], { sig, ms: 1500 });
    expect(r.code).toBe(code);
    expect(r.out).toMatch(/audit: ok/);
    expect(r.afterSignalMs).toBeLessThan(1000);
  });

  it("--rate sets the total offered rate (the scenario's arrival rates scaled to it)", async () => {
    const r = await runCli(['live', 'x86-small', '--seconds', '0.3', '--rate', '50000', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/offered 50\.0k\/s/);
    const both = await runCli(['live', 'x86-small', '--rate', '1000', '--saturate']);
    expect(both.code).toBe(2);
    expect(both.err.trim().split('\n')).toHaveLength(1);
    expect(both.err).toMatch(/--rate/);
  });

  it('bad --seconds is exit 2 with the flag named', async () => {
    const r = await runCli(['live', 'x86-small', '--seconds', 'abc']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--seconds/);
  });
});
