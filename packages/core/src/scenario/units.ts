// Time values in scenarios: a number means nanoseconds; a string carries its unit ("150us", "20ms", "1.5 s").

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };
const TIME_RE = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(ns|us|µs|ms|s)\s*$/i;

/** TIME_RE for JSON Schema (ECMA-262 without flags: the case-insensitivity spelled out), for editors. */
export const TIME_PATTERN = '^\\s*\\d+(\\.\\d+)?([eE][+-]?\\d+)?\\s*([nN][sS]|[uU][sS]|µ[sS]|[mM][sS]|[sS])\\s*$';

/**
 * Parses a scenario time value to ns: a number is ns already; a string carries its unit (`"150us"`, `"20ms"`,
 * `"1.5 s"`; ns, us, µs, ms, s, any case). Returns undefined when malformed (never throws).
 */
export function parseTimeNs(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  const m = TIME_RE.exec(v);
  if (!m) return undefined;
  const ns = Number(m[1]) * UNIT_NS[m[2].toLowerCase()];
  return Number.isFinite(ns) ? ns : undefined;
}

/** Formats ns for people with the largest unit that keeps it ≥ 1 (`1.5ms`, `250us`, `80ns`), 3 decimals at most. */
export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${+(ns / 1e9).toFixed(3)}s`;
  if (ns >= 1e6) return `${+(ns / 1e6).toFixed(3)}ms`;
  if (ns >= 1e3) return `${+(ns / 1e3).toFixed(3)}us`;
  return `${+ns.toFixed(1)}ns`;
}
