// Number formatting for the readable report.

/** 3 significant figures with an SI suffix: 9.31M, 412k, 2.30. */
export function si(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  if (a >= 1e9) return `${fmt(v / 1e9)}G`;
  if (a >= 1e6) return `${fmt(v / 1e6)}M`;
  if (a >= 1e3) return `${fmt(v / 1e3)}k`;
  return fmt(v);
}

/** A value with its unit, for tables: "9.31M ops/s", "1.93×", "212 MiB". */
export function fmtValue(v: number, unit: string): string {
  if (unit === '×') return `${v.toFixed(2)}×`;
  if (unit === 'MiB') return `${v.toFixed(1)} MiB`;
  return `${si(v)} ${unit}`;
}

/** Renders rows as a left-aligned text table (first column left, the others right-aligned). */
export function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
