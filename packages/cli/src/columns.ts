// Column layout shared by every table the CLI prints (run, sweep, exits, live): each column as wide as its longest
// cell, the leading text columns left-aligned and the numbers right-aligned, two spaces between columns.

export interface Columns {
  /** Formats one row (the header included). */
  line: (cells: string[]) => string;
  /** The dashed rule under the header. */
  rule: string;
}

/**
 * `textColumns` leading columns are left-aligned. With `flagLast` the last column is a left-aligned flag (e.g.
 * STARVED, often empty) and trailing blanks are trimmed.
 */
export function columns(head: string[], rows: string[][], textColumns = 1, flagLast = false): Columns {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const last = head.length - 1;
  const line = (cells: string[]) => {
    const s = cells
      .map((c, i) => (i < textColumns || (flagLast && i === last) ? c.padEnd(w[i]) : c.padStart(w[i])))
      .join('  ');
    return flagLast ? s.trimEnd() : s;
  };
  return { line, rule: line(w.map((n) => '-'.repeat(n))) };
}
