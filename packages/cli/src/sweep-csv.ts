// The CSV of a sweep (`ivsim sweep F --csv F`, `ivsim merge … --csv F`): one row per point × reported scheme, the
// columns documented in DESIGN §11 "Sweeps" — point, one column per axis (headed by its path), then the scheme's
// figures (the seed is in the JSON, or an axis when it varies). RFC 4180 quoting by csv-stringify; an axis value that is not a scalar is written as JSON.

import type { SweepResult } from '@ivsim/core';
import { stringify } from 'csv-stringify/sync';

/** The figure columns after `point`, the axes and `scheme`. */
export const SWEEP_CSV_COLUMNS = [
  'raised',
  'delivered',
  'coalesced',
  'pending',
  'delivery_mean_ns',
  'delivery_p50_ns',
  'delivery_p99_ns',
  'delivery_p999_ns',
  'completion_p50_ns',
  'completion_p99_ns',
  'completion_p999_ns',
  'exits',
  'exits_per_s',
  'guest_share',
  'relative_to_bare_metal',
  'conserved',
] as const;

const cell = (v: unknown): string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);

export function sweepCsv(r: SweepResult): string {
  const rows: (string | number | boolean)[][] = [
    ['point', ...r.axes.map((a) => a.path), 'scheme', ...SWEEP_CSV_COLUMNS],
  ];
  for (const p of r.points)
    for (const s of p.schemes) {
      const d = s.latencyNs.delivery;
      const c = s.latencyNs.completion;
      rows.push([
        p.index,
        ...r.axes.map((a) => cell(p.values[a.path])),
        s.scheme,
        s.interrupts.raised,
        s.interrupts.delivered,
        s.interrupts.coalesced,
        s.interrupts.pending,
        d.mean,
        d.p50,
        d.p99,
        d.p999,
        c.p50,
        c.p99,
        c.p999,
        s.exits.total,
        s.exits.perSecond,
        s.cpu.guestShare,
        s.cpu.relativeToBareMetal,
        s.conservation.ok,
      ]);
    }
  return stringify(rows, { cast: { boolean: (b) => String(b) } });
}
