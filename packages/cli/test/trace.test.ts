// `--trace`: the output is valid trace-event JSON (Chrome/Perfetto): every event has ph/ts/pid/tid, complete spans
// nest per track, flow starts and ends pair up, there is a track per pCPU and per vCPU of each scheme, exits carry
// their reason, and each flow ends at a handler entry.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_SCENARIOS, validateScenario } from '@ivsim/core';
import { buildTopology } from '@ivsim/core/internal';
import { describe, expect, it } from 'vitest';
import { buildTrace, parseTraceWindow, type TraceEvent, type TraceFile } from '../src/trace.ts';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ivsim-trace-'));

/** Structural checks of trace-event JSON; returns the problems found (empty = valid). */
export function traceProblems(t: TraceFile): string[] {
  const bad: string[] = [];
  if (!Array.isArray(t.traceEvents)) return ['traceEvents is not an array'];
  const tracks = new Map<string, TraceEvent[]>();
  const flows = new Map<number, { s: TraceEvent[]; f: TraceEvent[] }>();
  for (const e of t.traceEvents) {
    if (typeof e.name !== 'string' || !['X', 'B', 'E', 'i', 's', 'f', 'M'].includes(e.ph))
      bad.push(`bad event ${JSON.stringify(e)}`);
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) bad.push(`bad ts ${JSON.stringify(e)}`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) bad.push(`bad pid/tid ${JSON.stringify(e)}`);
    if (e.ph === 'X') {
      if (!(typeof e.dur === 'number' && e.dur > 0)) bad.push(`X without positive dur ${JSON.stringify(e)}`);
      const k = `${e.pid}:${e.tid}`;
      if (!tracks.has(k)) tracks.set(k, []);
      tracks.get(k)!.push(e);
    }
    if (e.ph === 's' || e.ph === 'f') {
      const id = e.id as number;
      if (!flows.has(id)) flows.set(id, { s: [], f: [] });
      flows.get(id)![e.ph].push(e);
    }
  }
  // Complete events on one track must nest: sorted by start (longest first), each lies inside the enclosing one.
  const eps = 1e-6;
  for (const [k, evs] of tracks) {
    evs.sort((a, b) => a.ts - b.ts || (b.dur as number) - (a.dur as number));
    const stack: number[] = [];
    for (const e of evs) {
      while (stack.length > 0 && stack[stack.length - 1] <= e.ts + eps) stack.pop();
      const end = e.ts + (e.dur as number);
      if (stack.length > 0 && end > stack[stack.length - 1] + eps) {
        bad.push(`track ${k}: ${e.name} at ${e.ts} overlaps its enclosing span`);
        break;
      }
      stack.push(end);
    }
  }
  for (const [id, { s, f }] of flows) {
    if (s.length !== 1 || f.length !== 1) bad.push(`flow ${id}: ${s.length} starts, ${f.length} ends`);
    else if (f[0].ts < s[0].ts) bad.push(`flow ${id} ends before it starts`);
  }
  return bad;
}

describe('Perfetto trace', () => {
  const s = validateScenario(BUILTIN_SCENARIOS['x86-small']);
  const t = buildTrace(s, undefined, { startNs: 1e6, endNs: 3e6 });

  it('is valid trace-event JSON: fields, nesting, paired flows', () => {
    expect(traceProblems(JSON.parse(JSON.stringify(t)))).toEqual([]);
    expect(t.traceEvents.filter((e) => e.ph === 'f').length).toBeGreaterThan(10);
  });

  it('has a named track per pCPU and vCPU of every scheme, and spans only inside the window', () => {
    const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
    const procs = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args?.name);
    expect(procs).toEqual(s.schemes);
    for (let pid = 1; pid <= s.schemes.length; pid++) {
      const mine = names.filter((e) => e.pid === pid).map((e) => String(e.args?.name));
      // Bare metal runs each vCPU's work on a CPU of its own (no consolidation).
      const pcpus = buildTopology(s, s.schemes[pid - 1] === 'bare-metal').pcpus;
      expect(mine.filter((n) => n.startsWith('pCPU ')).length).toBe(pcpus);
      expect(mine.filter((n) => n.startsWith('vCPU ')).length).toBe(3); // vm × 2 + noisy × 1
    }
    for (const e of t.traceEvents.filter((x) => x.ph === 'X')) {
      expect(e.ts).toBeGreaterThanOrEqual(1000);
      expect(e.ts + (e.dur as number)).toBeLessThanOrEqual(3000 + 1e-6);
    }
  });

  it('x86-vmx has guest, exit-by-reason and handler spans; bare metal has no exits; flows end at a handler entry', () => {
    const pidOf = (id: string) => s.schemes.indexOf(id as never) + 1;
    const spans = (pid: number) => t.traceEvents.filter((e) => e.ph === 'X' && e.pid === pid);
    const vmx = spans(pidOf('x86-vmx'));
    expect(vmx.some((e) => e.name === 'guest')).toBe(true);
    expect(vmx.some((e) => e.name === 'exit EXTERNAL_INTERRUPT' && e.args?.reason === 'EXTERNAL_INTERRUPT')).toBe(true);
    expect(vmx.some((e) => e.cat === 'handler' && e.tid >= 1000 && e.tid < 100_000)).toBe(true);
    expect(vmx.some((e) => e.cat === 'exit' && e.tid < 1000)).toBe(true); // mirrored on the pCPU track
    expect(spans(pidOf('bare-metal')).some((e) => e.cat === 'exit')).toBe(false);
    const handlerStarts = new Set(
      t.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'handler').map((e) => `${e.pid}:${e.tid}:${e.ts}`),
    );
    const ends = t.traceEvents.filter((e) => e.ph === 'f');
    expect(ends.every((e) => e.bp === 'e' && handlerStarts.has(`${e.pid}:${e.tid}:${e.ts}`))).toBe(true);
    const starts = t.traceEvents.filter((e) => e.ph === 's');
    expect(starts.every((e) => e.tid >= 100_000)).toBe(true); // from a device-queue track
  });

  it('parses --trace-window and names the flag in errors', () => {
    expect(parseTraceWindow('1ms,2ms', 20e6)).toEqual({ startNs: 1e6, endNs: 2e6 });
    expect(parseTraceWindow('500,1500', 20e6)).toEqual({ startNs: 500, endNs: 1500 });
    expect(parseTraceWindow(undefined, 20e6)).toEqual({ startNs: 0, endNs: 1e6 });
    expect(parseTraceWindow('0,1s', 20e6)).toEqual({ startNs: 0, endNs: 20e6 });
    expect(() => parseTraceWindow('2ms,1ms', 20e6)).toThrow(/^--trace-window: the end must come after the start/);
    expect(() => parseTraceWindow('1ms', 20e6)).toThrow(/^--trace-window: expected start,end/);
    expect(() => parseTraceWindow('30ms,40ms', 20e6)).toThrow(/^--trace-window: starts at or after the end/);
  });

  it('ivsim run --trace writes it (window 1ms,2ms); a bad window exits 2 before the run', () => {
    const f = join(dir, 't.json');
    const r = spawnSync(process.execPath, [CLI, 'run', 'x86-small', '--trace', f, '--trace-window', '1ms,2ms'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const tf = JSON.parse(readFileSync(f, 'utf8')) as TraceFile;
    expect(traceProblems(tf)).toEqual([]);
    expect(tf.otherData.windowNs).toEqual([1e6, 2e6]);
    const bad = spawnSync(process.execPath, [CLI, 'run', 'x86-small', '--trace', f, '--trace-window', 'x'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: --trace-window:/);
  });
});
