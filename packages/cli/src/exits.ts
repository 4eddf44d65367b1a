// `ivsim run … --exits`: a `perf kvm stat report`-style table of VM exits per scheme — reason, count, share of the
// exits, share of the exit-handling time, and the mean cost of one exit (round trip + handling) in ns and cycles.

import type { Results } from '@ivsim/core';
import { columns } from './columns.ts';

export function formatExits(r: Results): string {
  const out: string[] = [];
  for (const s of r.schemes) {
    const reasons = Object.keys(s.exits.byReason).filter((k) => s.exits.byReason[k] > 0);
    if (reasons.length === 0) continue;
    const total = s.exits.total;
    const cycles = reasons.reduce((a, k) => a + (s.exits.cyclesByReason[k] ?? 0), 0);
    reasons.sort((a, b) => s.exits.byReason[b] - s.exits.byReason[a]);
    const head = ['reason', 'exits', 'exits/s', 'exits %', 'time %', 'mean ns', 'mean cycles'];
    const rows = reasons.map((k) => {
      const n = s.exits.byReason[k];
      const c = s.exits.cyclesByReason[k] ?? 0;
      return [
        k,
        String(n),
        String(Math.round(n / (r.durationNs / 1e9))),
        `${((100 * n) / total).toFixed(2)}%`,
        cycles > 0 ? `${((100 * c) / cycles).toFixed(2)}%` : '—',
        (c / n / r.freqGHz).toFixed(1),
        String(Math.round(c / n)),
      ];
    });
    rows.push([
      'total',
      String(total),
      String(s.exits.perSecond),
      '100.00%',
      '100.00%',
      (cycles / total / r.freqGHz).toFixed(1),
      String(Math.round(cycles / total)),
    ]);
    const { line, rule } = columns(head, rows);
    out.push(
      `${s.scheme}: VM exits (mean = round trip + handling, charged to the reason)`,
      line(head),
      rule,
      ...rows.map(line),
      '',
    );
  }
  return out.length > 0 ? out.join('\n').trimEnd() : 'no VM exits (bare metal only)';
}
