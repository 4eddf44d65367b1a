// `--report F.html` for a `sweep:` block (ivsim sweep F, ivsim merge): a line chart per metric against the first
// axis's values, one line per scheme and combination of the other axes' values — a replica axis (`seed`) gives one
// line per seed, shown side by side, never averaged. Rendered by report.ts like the LR and moderation sweeps.

import type { SchemeResult, SweepResult } from '@ivsim/core';
import type { ReportData } from './report.ts';

const label = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

const METRICS: { id: string; title: string; y: (s: SchemeResult) => number }[] = [
  { id: 'dlv99', title: 'delivery p99 µs', y: (s) => s.latencyNs.delivery.p99 / 1000 },
  { id: 'cmp99', title: 'completion p99 µs', y: (s) => s.latencyNs.completion.p99 / 1000 },
  { id: 'exits', title: 'exits/s', y: (s) => s.exits.perSecond },
  { id: 'bm', title: '% of bare metal', y: (s) => s.cpu.relativeToBareMetal * 100 },
];

export function paramSweepReportData(r: SweepResult): ReportData {
  const [first, ...rest] = r.axes;
  const xNames = first.values.map(label);
  // Series key: the scheme and the values of the axes after the first.
  const keyOf = (p: SweepResult['points'][number], scheme: string) =>
    [scheme, ...rest.map((a) => `${a.path}=${label(p.values[a.path])}`)].join(' · ');
  const keys: string[] = [];
  const cells = new Map<string, Map<string, SchemeResult>>(); // series → x label → result
  for (const p of r.points)
    for (const s of p.schemes) {
      const k = keyOf(p, s.scheme);
      if (!cells.has(k)) {
        keys.push(k);
        cells.set(k, new Map());
      }
      cells.get(k)?.set(label(p.values[first.path]), s);
    }
  const part = r.part ? `, part ${r.part.index} of ${r.part.count}` : '';
  return {
    title: `ivsim sweep report: ${r.scenario}`,
    subtitle: `${r.pointCount} points over ${r.axes.map((a) => a.path).join(' × ')}${part}`,
    charts: METRICS.map((m) => ({
      id: `psweep-${m.id}`,
      title: `${m.title} against ${first.path}`,
      kind: 'line' as const,
      xLabel: first.path,
      yLabel: m.title,
      x: xNames.map((_, i) => i),
      xNames,
      series: keys.map((k) => ({
        name: k,
        y: xNames.map((x) => {
          const s = cells.get(k)?.get(x);
          return s ? m.y(s) : null;
        }),
      })),
    })),
  };
}
