// Scenario loading and validation. Every failure is a ScenarioError whose message names the path of each bad field
// and what was expected (DESIGN §5), one issue per line, all of them at once (up to MAX_ISSUES): the wrong fields
// before the merely missing ones, an unknown key with the nearest allowed key. The CLI prints each line and exits 2.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { allowedKeysAt, formatPath, keyHint } from './paths.ts';
import { PRESETS } from './presets.ts';
import { ALL_SCHEMES, ARM_SCHEMES, type Scenario, scenarioSchema, X86_SCHEMES } from './schema.ts';

export { formatPath } from './paths.ts';

/**
 * Bad input: a scenario, a file, an override or an option. The message has one line per issue, each starting with
 * the path of the field (`scenario.schemes[0]: unknown scheme "x86-foo" (expected one of …)`); the CLI prints it
 * and exits 2.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/**
 * Scenario files larger than this are refused before they are parsed (a scenario is a few KB; the largest the
 * schema accepts, 65,536 VMs, is ~3 MB of JSON). YAML parses at ~1 MB/s, so this also bounds validation time.
 */
export const MAX_SCENARIO_BYTES = 8 * 1024 * 1024;
/** A file with more issues than this lists these and how many more (a mangled 65,536-VM file is not 65,536 lines). */
const MAX_ISSUES = 50;

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

/** A required field that is absent: reported after the fields that are present but wrong. */
const isMissing = (issue: z.core.$ZodIssue) =>
  (issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined;

function issueLines(issue: z.core.$ZodIssue, input: unknown): string[] {
  if (issue.code === 'unrecognized_keys') {
    const overrides = issue.path.length === 2 && issue.path[0] === 'costs' && issue.path[1] === 'overrides';
    const allowed = allowedKeysAt(scenarioSchema, issue.path, input);
    return issue.keys.map(
      (k) =>
        `${formatPath([...issue.path, k])}: ${overrides ? 'unknown cost entry' : 'unknown key'}${keyHint(k, allowed)}`,
    );
  }
  if (isMissing(issue))
    return [
      `${formatPath(issue.path)}: missing (a required field${issue.code === 'invalid_type' ? `: ${issue.expected}` : ''})`,
    ];
  if (issue.code === 'invalid_value' && issue.path.length === 2 && issue.path[0] === 'schemes')
    return [`${formatPath(issue.path)}: ${unknownScheme(issue.input, input)}`];
  return [`${formatPath(issue.path)}: ${oneLine(issue.message)}`];
}

/** The schemes of the file's arch when it names a valid one (an x86 file is not offered ARM schemes). */
function unknownScheme(id: unknown, input: unknown): string {
  const arch = (input as { arch?: unknown } | null)?.arch;
  const known = arch === 'x86' ? X86_SCHEMES : arch === 'arm' ? ARM_SCHEMES : ALL_SCHEMES;
  return `unknown scheme ${JSON.stringify(id)} (expected one of ${known.join(', ')})`;
}

/** The preset is checked against the table here, after the schema (reported with its issues, or alone). */
function presetIssue(input: unknown): string | null {
  const costs = (input as { costs?: { preset?: unknown } } | null)?.costs;
  const preset = costs !== null && typeof costs === 'object' ? costs.preset : undefined;
  if (typeof preset !== 'string' || preset === '' || Object.hasOwn(PRESETS, preset)) return null;
  return `scenario.costs.preset: unknown preset ${JSON.stringify(preset)}${keyHint(preset, Object.keys(PRESETS))}`;
}

/** One line per issue, at most MAX_ISSUES of them and then how many more. */
function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const ordered = [...issues.filter((i) => !isMissing(i)), ...issues.filter(isMissing)];
  const lines = ordered.flatMap((i) => issueLines(i, input));
  const preset = presetIssue(input);
  if (preset !== null) lines.push(preset);
  const shown = lines.slice(0, MAX_ISSUES);
  if (lines.length > MAX_ISSUES) shown.push(`(${lines.length - MAX_ISSUES} more issues)`);
  return shown.join('\n');
}

/** No list in a scenario is longer (vms, devices, empirical values: schema.ts MAX_LIST). */
const MAX_ARRAY = 65_536;
/** No field of the schema is nested deeper than ~8 levels. */
const MAX_DEPTH = 32;

/**
 * One cheap pass before the schema: a list far beyond any limit, nesting deeper than any field, or a cycle (a YAML
 * alias to its own ancestor) is refused here, naming its path, instead of costing the schema one issue per element.
 */
function checkShape(root: unknown): void {
  const stack: { v: unknown; path: PropertyKey[] }[] = [{ v: root, path: [] }];
  const ancestors = new Map<object, number>();
  const onPath: object[] = [];
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: unknown; path: PropertyKey[] };
    if (v === null || typeof v !== 'object') continue;
    // Drop the entries of subtrees already finished (depth-first: the path is a prefix chain).
    while (onPath.length > path.length) ancestors.delete(onPath.pop() as object);
    if (ancestors.has(v))
      throw new ScenarioError(`${formatPath(path)}: cyclic reference (a YAML alias to its own ancestor)`);
    if (path.length > MAX_DEPTH)
      throw new ScenarioError(`${formatPath(path)}: nested more than ${MAX_DEPTH} levels deep`);
    ancestors.set(v, path.length);
    onPath.push(v);
    if (Array.isArray(v)) {
      if (v.length > MAX_ARRAY)
        throw new ScenarioError(
          `${formatPath(path)}: a list of ${v.length} entries, more than any field allows (${MAX_ARRAY})`,
        );
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else
      for (const k of Object.keys(v).reverse())
        stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k] });
  }
}

/**
 * Validates an already-parsed object (from YAML, JSON or code) against the scenario schema and fills in defaults.
 * Takes `unknown` on purpose: it is the check that turns untyped data into a {@link Scenario}.
 *
 * @throws {@link ScenarioError} listing every issue at once, one line each, naming its path.
 */
export function validateScenario(input: unknown): Scenario {
  checkShape(input);
  const r = scenarioSchema.safeParse(input, { reportInput: true });
  if (!r.success) throw new ScenarioError(formatIssues(r.error.issues, input));
  const preset = presetIssue(r.data);
  if (preset !== null) throw new ScenarioError(preset);
  return r.data;
}

/**
 * A validated scenario with the run-time overrides a caller may apply (CLI --seed / --duration, RunOptions):
 * `seed` (integer) and `durationNs` (virtual ns). They go through the same schema, so an override cannot smuggle in
 * what a file could not. Returns `s` itself when both are undefined.
 *
 * @throws {@link ScenarioError} when an override is out of the schema's range.
 */
export function withOverrides(s: Scenario, o: { seed?: number; durationNs?: number }): Scenario {
  if (o.seed === undefined && o.durationNs === undefined) return s;
  const next = { ...s };
  if (o.seed !== undefined) next.seed = o.seed;
  if (o.durationNs !== undefined) next.duration = o.durationNs;
  return validateScenario(next);
}

/**
 * Parses YAML or JSON text (JSON is YAML) and validates it. `source` names the text in error messages.
 *
 * @throws {@link ScenarioError} on a syntax error, a top level that is not a mapping, or any schema issue.
 */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  return validateScenario(parseScenarioObject(text, source));
}

/**
 * Duplicate keys in JSON text (JSON.parse keeps the last silently; YAML, like this check, refuses them): returns the
 * first duplicated key, or null. One pass over the text, tracking the keys of each open object.
 */
function jsonDuplicateKey(text: string): string | null {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: find its end (escapes skipped)
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) return key;
        top.add(key);
      }
      expectKey = false;
      i = j;
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) expectKey = stack[stack.length - 1] !== null && stack.length > 0;
  }
  return null;
}

function parseScenarioObject(text: string, source: string): unknown {
  let obj: unknown;
  // JSON (which is YAML) takes the fast path: the YAML parser manages ~1 MB/s, JSON.parse ~100× that.
  if (/^\s*\{/.test(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined; // not strict JSON (comments, YAML flow style): the YAML parser decides
    }
    if (json !== undefined) {
      const dup = jsonDuplicateKey(text);
      if (dup !== null) throw new ScenarioError(`${source}: not valid YAML/JSON: duplicate key ${JSON.stringify(dup)}`);
      obj = json;
    }
  }
  if (obj === undefined)
    try {
      obj = parseYaml(text);
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new ScenarioError(`${source}: not valid YAML/JSON: ${msg}`);
    }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new ScenarioError(`${source}: expected a mapping (object) at the top level`);
  return obj;
}

/** Offset of the first byte that is not part of well-formed UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/** Path of the first key or string value containing U+FFFD (where a lossy decode put a bad byte). */
function pathOfReplacement(v: unknown, path: PropertyKey[], seen: Set<object>): PropertyKey[] | null {
  if (typeof v === 'string') return v.includes('\uFFFD') ? path : null;
  if (v === null || typeof v !== 'object' || seen.has(v)) return null;
  seen.add(v);
  for (const [k, x] of Object.entries(v)) {
    const key: PropertyKey = Array.isArray(v) ? Number(k) : k;
    if (typeof key === 'string' && key.includes('\uFFFD')) return path;
    const p = pathOfReplacement(x, [...path, key], seen);
    if (p) return p;
  }
  return null;
}

/** Decodes UTF-8 strictly; bad bytes are an error naming the field they sit in (and the line and column). */
export function decodeScenarioBytes(b: Uint8Array, source: string): string {
  const bad = firstInvalidUtf8(b);
  if (bad < 0) return new TextDecoder('utf-8').decode(b);
  const before = new TextDecoder('utf-8').decode(b.subarray(0, bad));
  const lines = before.split('\n');
  const where = `byte 0x${b[bad].toString(16).padStart(2, '0')} at line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
  let field = source;
  try {
    const p = pathOfReplacement(parseYaml(new TextDecoder('utf-8').decode(b)), [], new Set());
    if (p) field = formatPath(p);
  } catch {
    // not parseable even lossily: name the file
  }
  throw new ScenarioError(`${field}: not valid UTF-8 (${where} of ${source})`);
}

/**
 * Reads a scenario file's text: regular files only (a FIFO, a device or a directory is refused without blocking),
 * at most MAX_SCENARIO_BYTES, strict UTF-8.
 *
 * @throws {@link ScenarioError} naming the path when the file cannot be read, is too large or is not UTF-8.
 */
export function readScenarioFile(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ScenarioError(`${path}: cannot read scenario file (${code})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ScenarioError(`${path}: not a regular file (a scenario is a YAML or JSON file)`);
    if (st.size > MAX_SCENARIO_BYTES)
      throw new ScenarioError(
        `${path}: ${st.size} bytes, more than the ${MAX_SCENARIO_BYTES}-byte scenario file limit`,
      );
    // Read until EOF (st.size may be 0 for /proc-like files, or stale), never more than the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const k = readSync(fd, chunk, 0, chunk.length, null);
      if (k === 0) break;
      chunks.push(chunk.subarray(0, k));
      total += k;
      if (total > MAX_SCENARIO_BYTES)
        throw new ScenarioError(`${path}: more than the ${MAX_SCENARIO_BYTES}-byte scenario file limit`);
    }
    return decodeScenarioBytes(Buffer.concat(chunks, total), path);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ScenarioError(`${path}: cannot read scenario file (${code})`);
  } finally {
    closeSync(fd);
  }
}

/** The bytes of a scenario file → validated scenario: size limit, strict UTF-8, YAML/JSON, schema. */
export function parseScenarioBytes(b: Uint8Array, source: string): Scenario {
  if (b.length > MAX_SCENARIO_BYTES)
    throw new ScenarioError(`${source}: more than the ${MAX_SCENARIO_BYTES}-byte scenario file limit`);
  return parseScenarioText(decodeScenarioBytes(b, source), source);
}

/**
 * Reads, parses (YAML or JSON) and validates a scenario file.
 *
 * @throws {@link ScenarioError} naming the file or each bad field.
 */
export function loadScenarioFile(path: string): Scenario {
  return parseScenarioText(readScenarioFile(path), path);
}

/**
 * A scenario file read and parsed but not yet validated, for overrides applied before validation
 * (applySetOverrides / validateWithSets).
 *
 * @throws {@link ScenarioError} when the file cannot be read or parsed, or its top level is not a mapping.
 */
export function loadScenarioInput(path: string): Record<string, unknown> {
  return parseScenarioObject(readScenarioFile(path), path) as Record<string, unknown>;
}
