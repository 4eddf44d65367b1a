// The validation runner: runs cases, decides verdicts, prints the table (text or Markdown) and the JSON report.
// Exit status: 0 every case within its range, 1 a miss or a case that failed to run, 2 bad arguments.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { IVSIM_VERSION } from '@ivsim/core';
import { table } from '../format.ts';
import { CASES, checkRegistry, GROUPS, selectCases } from './registry.ts';
import { type CaseResult, fmtNum, type ValidationCase, within } from './types.ts';

export class ValidateInputError extends Error {}

export interface ValidateArgs {
  help: boolean;
  quick: boolean;
  cases: string[];
  json: string | null;
  markdown: boolean;
  list: boolean;
}

export const VALIDATE_USAGE = `usage: pnpm validate [-- options]   (or: node packages/bench/dist/validate.js [options])

  --quick              the CI small form: the same cases with shorter virtual runs
  --case <id|group>    run only these cases (repeat, or a comma list; a dotted id prefix such as dall.x86, or a*)
  --json <file>        also write every case's result as JSON ('-' = standard output, the table then on stderr)
  --markdown           print the tables as Markdown (for docs/VALIDATION.md), with each case's notes
  --list               list the cases (id, group, kind) without running them
  -h, --help           this text

Exit status: 0 every case within its expected range, 1 a miss (or a case that failed to run), 2 bad arguments.`;

export function parseValidateArgs(argv: string[], cases: ValidationCase[] = CASES): ValidateArgs {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        quick: { type: 'boolean' },
        case: { type: 'string', multiple: true },
        json: { type: 'string' },
        markdown: { type: 'boolean' },
        list: { type: 'boolean' },
      },
    }));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ValidateInputError(msg.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  const filters = ((values.case as string[] | undefined) ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  if (values.case !== undefined && filters.length === 0)
    throw new ValidateInputError('--case: expected an id or group');
  for (const f of filters)
    if (selectCases(cases, [f]).length === 0)
      throw new ValidateInputError(
        `--case: no case or group matches "${f}" (groups: ${[...new Set(cases.map((c) => c.group))].join(', ')})`,
      );
  const json = (values.json as string | undefined) ?? null;
  if (json === '') throw new ValidateInputError('--json: expected a file name');
  if (json !== null && json !== '-' && json.startsWith('-'))
    throw new ValidateInputError(`--json: expected a file name, got "${json}"`);
  return {
    help: values.help === true,
    quick: values.quick === true,
    cases: filters,
    json,
    markdown: values.markdown === true,
    list: values.list === true,
  };
}

/** Runs one case and judges it; an exception is an ERROR verdict with its message, never a crash. */
export function runCase(c: ValidationCase, quick: boolean): CaseResult {
  const base = {
    id: c.id,
    group: c.group,
    kind: c.kind,
    source: c.source.citation,
    sourceShort: c.source.short,
    tag: c.source.tag,
    compares: c.compares,
    unit: c.unit,
    expected: c.expected.text,
    target: c.expected.target ?? null,
    lo: Number.isFinite(c.expected.lo) ? c.expected.lo : null,
    hi: Number.isFinite(c.expected.hi) ? c.expected.hi : null,
    note: c.note ?? null,
    knownMiss: c.knownMiss ?? null,
  };
  try {
    const out = c.run({ quick });
    const v = out.value;
    if (!Number.isFinite(v)) throw new Error(`simulated value is ${v}`);
    const e = c.expected;
    let error: number | null = null;
    let errorUnit: CaseResult['errorUnit'] = null;
    if (e.error === 'relative' && e.target !== undefined && e.target !== 0) {
      error = (v / e.target - 1) * 100;
      errorUnit = '%';
    } else if (e.error === 'points' && e.target !== undefined) {
      error = v - e.target;
      errorUnit = 'points';
    }
    return {
      ...base,
      simulated: v,
      error,
      errorUnit,
      verdict: within(e, v) ? 'PASS' : 'MISS',
      detail: out.detail ?? '',
      message: null,
      tables: out.tables ?? [],
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ...base,
      simulated: null,
      error: null,
      errorUnit: null,
      verdict: 'ERROR',
      detail: '',
      message,
      tables: [],
    };
  }
}

export function exitStatus(results: CaseResult[]): number {
  return results.every((r) => r.verdict === 'PASS') ? 0 : 1;
}

// ---- formatting -------------------------------------------------------------------------------------------

export function fmtValue(v: number | null, unit: string): string {
  if (v === null) return '—';
  if (unit === '%') return `${v < 0 ? '−' : ''}${Math.abs(v).toFixed(2)} %`;
  if (unit === '×') return `${v.toFixed(3)}×`;
  if (unit === 'cycles') return fmtNum(v);
  return `${fmtNum(v)} ${unit}`;
}

function fmtError(r: CaseResult): string {
  if (r.error === null) return '—';
  const s = r.error >= 0 ? '+' : '−';
  const a = Math.abs(r.error);
  return r.errorUnit === 'points' ? `${s}${a.toFixed(1)} pts` : `${s}${a.toFixed(1)} %`;
}

const KIND_LABEL = { prediction: 'prediction', derivation: 'derivation check' } as const;

function verdictText(r: CaseResult): string {
  if (r.verdict === 'ERROR') return `ERROR: ${r.message}`;
  return r.verdict;
}

const COLUMNS = ['case', 'kind', 'source', 'expected', 'simulated', 'error', 'verdict'];

function row(r: CaseResult): string[] {
  return [
    r.id,
    KIND_LABEL[r.kind],
    `${r.sourceShort} [${r.tag}]`,
    r.expected,
    fmtValue(r.simulated, r.unit),
    fmtError(r),
    verdictText(r),
  ];
}

function summaryLine(results: CaseResult[]): string {
  const n = (v: string) => results.filter((r) => r.verdict === v).length;
  const deriv = results.filter((r) => r.kind === 'derivation').length;
  return (
    `${results.length} cases: ${n('PASS')} pass, ${n('MISS')} miss, ${n('ERROR')} error ` +
    `(${results.length - deriv} predictions, ${deriv} derivation checks)`
  );
}

const LEGEND =
  'derivation check: a preset entry was derived from this figure, so a pass is consistency, not evidence; ' +
  'prediction: the figure set nothing the run depends on.';

/** The plain-text report: one table, the details of each case below it, the supplementary tables, a summary. */
export function formatText(results: CaseResult[], quick: boolean): string {
  const out: string[] = [];
  out.push(`ivsim ${IVSIM_VERSION} validation${quick ? ' (--quick)' : ''}`);
  out.push('');
  out.push(table(COLUMNS, results.map(row)));
  out.push('');
  out.push(LEGEND);
  const detailed = results.filter((r) => r.detail !== '');
  if (detailed.length > 0) {
    out.push('');
    for (const r of detailed) out.push(`${r.id}: ${r.detail}`);
  }
  for (const r of results)
    for (const t of r.tables) {
      out.push('');
      out.push(t.title);
      out.push(table(t.header, t.rows));
    }
  const misses = results.filter((r) => r.verdict !== 'PASS');
  if (misses.length > 0) {
    out.push('');
    for (const r of misses)
      out.push(`${r.verdict} ${r.id}: ${r.knownMiss ?? r.message ?? 'no cause recorded yet — see docs/VALIDATION.md'}`);
  }
  out.push('');
  out.push(summaryLine(results));
  return out.join('\n');
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|');

function mdTable(header: string[], rows: string[][]): string {
  const lines = [`| ${header.map(mdCell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.map(mdCell).join(' | ')} |`);
  return lines.join('\n');
}

/** Markdown for docs/VALIDATION.md: per group, the table, then each case's definition, assumptions and cause. */
export function formatMarkdown(results: CaseResult[], quick: boolean): string {
  const out: string[] = [];
  out.push(`<!-- pnpm validate${quick ? ' --quick' : ''} --markdown, ivsim ${IVSIM_VERSION} -->`);
  const groups = [...new Set(results.map((r) => r.group))];
  for (const g of groups) {
    const rs = results.filter((r) => r.group === g);
    out.push('');
    out.push(`#### Group \`${g}\``);
    out.push('');
    out.push(
      mdTable(
        [...COLUMNS, 'also measured'],
        rs.map((r) => [...row(r), r.detail || '—']),
      ),
    );
    out.push('');
    for (const r of rs) {
      out.push(`- **\`${r.id}\`** — ${r.compares}. Source: ${r.source} [${r.tag}].`);
      if (r.note) out.push(`  Assumptions (before the run): ${r.note}`);
      if (r.verdict !== 'PASS')
        out.push(`  **${r.verdict}** — likely cause: ${r.knownMiss ?? r.message ?? 'not yet explained.'}`);
    }
    for (const r of rs)
      for (const t of r.tables) {
        out.push('');
        out.push(`**${t.title}**`);
        out.push('');
        out.push(mdTable(t.header, t.rows));
      }
  }
  out.push('');
  out.push(`${summaryLine(results)}. ${LEGEND}`);
  return out.join('\n');
}

export interface ValidateIo {
  out: (s: string) => void;
  err: (s: string) => void;
  writeFile: (file: string, text: string) => void;
}

const defaultIo: ValidateIo = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  writeFile: (f, t) => writeFileSync(f, t),
};

export interface ValidateReport {
  ivsim: string;
  quick: boolean;
  summary: { total: number; pass: number; miss: number; error: number };
  cases: CaseResult[];
}

export function report(results: CaseResult[], quick: boolean): ValidateReport {
  const n = (v: string) => results.filter((r) => r.verdict === v).length;
  return {
    ivsim: IVSIM_VERSION,
    quick,
    summary: { total: results.length, pass: n('PASS'), miss: n('MISS'), error: n('ERROR') },
    cases: results,
  };
}

/** `pnpm validate`: resolves with the exit status. `cases` and `io` are replaceable for tests. */
export function runValidate(argv: string[], io: Partial<ValidateIo> = {}, cases: ValidationCase[] = CASES): number {
  const o = { ...defaultIo, ...io };
  let args: ValidateArgs;
  try {
    checkRegistry(cases);
    args = parseValidateArgs(argv, cases);
  } catch (e) {
    if (e instanceof ValidateInputError) {
      o.err(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    o.out(VALIDATE_USAGE);
    return 0;
  }
  const selected = selectCases(cases, args.cases);
  if (args.list) {
    o.out(
      table(
        ['case', 'group', 'kind', 'source'],
        selected.map((c) => [c.id, c.group, KIND_LABEL[c.kind], c.source.short]),
      ),
    );
    return 0;
  }
  const results = selected.map((c) => runCase(c, args.quick));
  const text = args.markdown ? formatMarkdown(results, args.quick) : formatText(results, args.quick);
  const json = `${JSON.stringify(report(results, args.quick), null, 2)}\n`;
  if (args.json === '-') {
    o.err(text);
    o.out(json.trimEnd());
  } else {
    o.out(text);
    if (args.json !== null) {
      try {
        o.writeFile(args.json, json);
      } catch (e) {
        o.err(`error: --json ${args.json}: ${e instanceof Error ? e.message : String(e)}`);
        return 2;
      }
    }
  }
  return exitStatus(results);
}

export { GROUPS };
