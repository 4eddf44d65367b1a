// `--report F.html`: one self-contained HTML file, readable offline — uPlot (its minified build and stylesheet) and
// the data are inlined, nothing is fetched. Charts: per latency kind a CDF per scheme on a log axis and a histogram
// (log-spaced bins), exits by reason per scheme, % of bare metal; for sweeps, line charts of each metric against the
// swept parameter. uPlot: small (50 kB), canvas-based, no dependencies, maintained, MIT (docs/REPORTS.md).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeHistogram, type LrSweepResult, type ModerationSweepResult, type Results } from '@ivsim/core';

/** One chart: the browser code (CHART_JS) draws it with uPlot. `xNames` makes x categorical (bars or ticks). */
export interface ChartSpec {
  id: string;
  title: string;
  kind: 'line' | 'bars';
  xLog?: boolean;
  xLabel: string;
  yLabel: string;
  x: number[];
  xNames?: string[];
  series: { name: string; y: (number | null)[] }[];
}

export interface ReportData {
  title: string;
  subtitle: string;
  table?: { head: string[]; rows: string[][] };
  charts: ChartSpec[];
}

const GRID_POINTS = 160;

/** A log-spaced grid of latencies (µs) spanning every histogram, and each histogram's CDF and bin shares on it. */
export function latencyCurves(hists: { name: string; b64: string }[]): {
  xUs: number[];
  cdf: { name: string; y: number[] }[];
  hist: { name: string; y: number[] }[];
} {
  const decoded = hists.map((h) => ({ name: h.name, h: decodeHistogram(h.b64) }));
  const live = decoded.filter((d) => d.h.totalCount > 0);
  const lo = Math.max(1, Math.min(...live.map((d) => d.h.minNonZeroValue)));
  const hi = Math.max(lo * 2, ...live.map((d) => d.h.maxValue));
  const xNs: number[] = [];
  for (let i = 0; i < GRID_POINTS; i++) xNs.push(lo * (hi / lo) ** (i / (GRID_POINTS - 1)));
  // Each CDF from the percentile function, sampled densely in "nines" (0…99.999 %), inverted on the grid.
  const probes: number[] = [];
  for (let k = 0; k <= 2000; k++) probes.push(100 * (1 - 10 ** (-5 * (k / 2000))));
  const cdf = decoded.map(({ name, h }) => {
    if (h.totalCount === 0) return { name, y: xNs.map(() => 0) };
    const vals = probes.map((p) => h.getValueAtPercentile(p));
    return {
      name,
      y: xNs.map((x) => {
        let f = 0;
        for (let k = 0; k < vals.length && vals[k] <= x; k++) f = probes[k] / 100;
        return x >= h.maxValue ? 1 : f;
      }),
    };
  });
  const hist = cdf.map(({ name, y }) => ({ name, y: y.map((v, i) => (i === 0 ? v : Math.max(0, v - y[i - 1]))) }));
  return { xUs: xNs.map((x) => x / 1000), cdf, hist };
}

export function runReportData(r: Results): ReportData {
  const charts: ChartSpec[] = [];
  for (const kind of ['delivery', 'completion'] as const) {
    const c = latencyCurves(r.schemes.map((s) => ({ name: s.scheme, b64: s.histograms[kind] })));
    const what = kind === 'delivery' ? 'delivery (raise → handler entry)' : 'completion (raise → EOI done)';
    charts.push({
      id: `cdf-${kind}`,
      title: `Latency CDF, ${what}`,
      kind: 'line',
      xLog: true,
      xLabel: 'latency µs (log)',
      yLabel: 'fraction ≤ latency',
      x: c.xUs,
      series: c.cdf,
    });
    charts.push({
      id: `hist-${kind}`,
      title: `Latency histogram, ${what}: share of interrupts per log-spaced bin`,
      kind: 'line',
      xLog: true,
      xLabel: 'latency µs (log)',
      yLabel: 'share of interrupts',
      x: c.xUs,
      series: c.hist,
    });
  }
  const reasons = [...new Set(r.schemes.flatMap((s) => Object.keys(s.exits.byReason)))].sort();
  const virt = r.schemes.filter((s) => s.scheme !== 'bare-metal');
  // One bar chart per scheme: grouped bars of schemes whose exit rates differ 100-fold would hide the small ones.
  for (const s of virt)
    if (reasons.length > 0)
      charts.push({
        id: `exits-${s.scheme}`,
        title: `${s.scheme}: VM exits per simulated second, by reason (${s.exits.perSecond} in all)`,
        kind: 'bars',
        xLabel: 'exit reason',
        yLabel: 'exits/s',
        x: reasons.map((_, i) => i),
        xNames: reasons,
        series: [
          {
            name: s.scheme,
            y: reasons.map((reason) => Math.round(((s.exits.byReason[reason] ?? 0) * 1e9) / r.durationNs)),
          },
        ],
      });
  charts.push({
    id: 'bare-metal',
    title: "% of bare metal: the guest's own work against bare metal's on the same workload",
    kind: 'bars',
    xLabel: 'scheme',
    yLabel: '% of bare metal',
    x: r.schemes.map((_, i) => i),
    xNames: r.schemes.map((s) => s.scheme),
    series: [{ name: 'vs bare metal', y: r.schemes.map((s) => Math.round(s.cpu.relativeToBareMetal * 1e4) / 100) }],
  });
  const us = (ns: number) => (ns / 1000).toFixed(2);
  return {
    title: `ivsim report: ${r.scenario}`,
    subtitle: `seed ${r.seed}, ${r.durationNs / 1e6} ms simulated at ${r.freqGHz} GHz, costs ${r.costPreset}, ivsim ${r.ivsim}`,
    table: {
      head: [
        'scheme',
        'raised',
        'delivered',
        'coalesced',
        'pending',
        'dlv p50 µs',
        'dlv p99 µs',
        'dlv p99.9 µs',
      ].concat(['cmpl p99 µs', 'exits/s', 'vs bare metal']),
      rows: r.schemes.map((s) => [
        s.scheme,
        String(s.interrupts.raised),
        String(s.interrupts.delivered),
        String(s.interrupts.coalesced),
        String(s.interrupts.pending),
        us(s.latencyNs.delivery.p50),
        us(s.latencyNs.delivery.p99),
        us(s.latencyNs.delivery.p999),
        us(s.latencyNs.completion.p99),
        String(s.exits.perSecond),
        `${(s.cpu.relativeToBareMetal * 100).toFixed(1)}%`,
      ]),
    },
    charts,
  };
}

/** Line charts of a sweep: each metric against the swept setting, one line per scheme. */
export function sweepReportData(r: LrSweepResult | ModerationSweepResult, kind: 'lr' | 'moderation'): ReportData {
  type P = (typeof r.points)[number];
  const setting = (p: P) =>
    kind === 'lr'
      ? String((p as LrSweepResult['points'][number]).listRegs)
      : (() => {
          const m = (p as ModerationSweepResult['points'][number]).moderation;
          return m === 'adaptive' ? 'adaptive' : m === 0 ? 'off' : `${m / 1000}µs`;
        })();
  const xNames = [...new Set(r.points.map(setting))];
  const schemes = [...new Set(r.points.map((p) => p.scheme))];
  const metrics: { id: string; title: string; y: (p: P) => number }[] =
    kind === 'lr'
      ? [
          {
            id: 'maint',
            title: 'maintenance exits/s',
            y: (p) => (p as LrSweepResult['points'][number]).maintenancePerSecond,
          },
          { id: 'exits', title: 'exits/s', y: (p) => p.exitsPerSecond },
          {
            id: 'dlvpend',
            title: 'delivery + pending p99 µs',
            y: (p) => (p as LrSweepResult['points'][number]).deliveryWithPendingNs.p99 / 1000,
          },
          { id: 'bm', title: '% of bare metal', y: (p) => p.relativeToBareMetal * 100 },
        ]
      : [
          {
            id: 'irqs',
            title: 'device interrupts/s',
            y: (p) => (p as ModerationSweepResult['points'][number]).deviceInterruptsPerSecond,
          },
          {
            id: 'pkt99',
            title: 'packet latency p99 µs',
            y: (p) => (p as ModerationSweepResult['points'][number]).packetLatencyNs.p99 / 1000,
          },
          { id: 'exits', title: 'exits/s', y: (p) => p.exitsPerSecond },
          { id: 'bm', title: '% of bare metal', y: (p) => p.relativeToBareMetal * 100 },
        ];
  const xLabel = kind === 'lr' ? 'list registers' : 'interrupt moderation (ITR)';
  return {
    title: `ivsim sweep report: ${r.scenario}`,
    subtitle: `seed ${r.seed}, ${kind === 'lr' ? 'list-register' : 'interrupt-moderation'} sweep`,
    charts: metrics.map((m) => ({
      id: `sweep-${m.id}`,
      title: `${m.title} against ${xLabel}`,
      kind: 'line' as const,
      xLabel,
      yLabel: m.title,
      x: xNames.map((_, i) => i),
      xNames,
      series: schemes.map((sc) => ({
        name: sc,
        y: xNames.map((xn) => {
          const p = r.points.find((q) => q.scheme === sc && setting(q) === xn);
          return p ? m.y(p) : null;
        }),
      })),
    })),
  };
}

/** Browser side: draws every ChartSpec with uPlot. Plain ES2017, no imports (the page is offline). */
const CHART_JS = `
(function () {
  var D = JSON.parse(document.getElementById('ivsim-data').textContent);
  var colors = ['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#17becf','#7f7f7f','#bcbd22'];
  var W = Math.min(980, document.body.clientWidth - 40);
  D.charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    var cat = Array.isArray(c.xNames);
    var series = [{ label: c.xLabel }].concat(c.series.map(function (s, i) {
      var col = colors[i % colors.length];
      var o = { label: s.name, stroke: col, width: 2, spanGaps: true };
      if (c.kind === 'bars') {
        o.fill = col;
        o.paths = uPlot.paths.bars({ size: [0.6, 80] });
        o.points = { show: false };
      }
      return o;
    }));
    var xAxis = { label: c.xLabel };
    if (cat) {
      xAxis.splits = function () { return c.x; };
      xAxis.values = function (u, vals) { return vals.map(function (v) { return c.xNames[v] === undefined ? '' : c.xNames[v]; }); };
      if (c.kind === 'bars') { xAxis.rotate = -30; xAxis.size = 90; }
    }
    var opts = {
      title: c.title,
      width: W,
      height: 320,
      series: series,
      scales: { x: c.xLog ? { time: false, distr: 3 } : cat ? { time: false, range: [-0.6, c.x.length - 0.4] } : { time: false } },
      axes: [xAxis, { label: c.yLabel, size: 70 }],
      legend: { live: false },
    };
    if (c.kind === 'bars') opts.scales.y = { range: function (u, lo, hi) { return [0, hi > 0 ? hi * 1.05 : 1]; } };
    new uPlot(opts, [c.x].concat(c.series.map(function (s) { return s.y; })), el);
  });
  document.body.setAttribute('data-charts-drawn', String(D.charts.length));
})();
`;

const require = createRequire(import.meta.url);
let uplotAssets: { js: string; css: string } | null = null;
function uplot(): { js: string; css: string } {
  if (uplotAssets === null) {
    const dir = require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
    uplotAssets = {
      js: readFileSync(`${dir}uPlot.iife.min.js`, 'utf8'),
      css: readFileSync(`${dir}uPlot.min.css`, 'utf8'),
    };
  }
  return uplotAssets;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
/** JSON inside <script>: no "</script>" or "<!--" can close or comment it. */
const scriptJson = (x: unknown) => JSON.stringify(x).replace(/</g, '\\u003c');

export function renderReport(d: ReportData): string {
  const { js, css } = uplot();
  const table = d.table
    ? `<table><thead><tr>${d.table.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${d.table.rows
        .map((r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(d.title)}</title>
<style>${css}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } .sub { color: #555; margin-bottom: 16px; }
table { border-collapse: collapse; margin: 8px 0 20px; } th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; }
th { text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.chart { margin: 12px 0 28px; }
</style>
</head>
<body>
<h1>${esc(d.title)}</h1>
<div class="sub">${esc(d.subtitle)} — generated by ivsim; self-contained (uPlot inlined), see docs/REPORTS.md</div>
${table}
${d.charts.map((c) => `<div class="chart" id="${esc(c.id)}"></div>`).join('\n')}
<script id="ivsim-data" type="application/json">${scriptJson(d)}</script>
<script>${js}</script>
<script>${CHART_JS}</script>
</body>
</html>
`;
}
