// The general parameter sweep (DESIGN §11 "Sweeps"): a scenario's `sweep:` block names axes over field paths; the
// points are the axes' cartesian product, each the base scenario with the point's values set at those paths (the
// `--set` machinery) and validated by the whole schema — every point before anything runs. Point k of a sweep goes to
// part k mod N, so N machines can each run a part (`--index I --count N`) and `mergeSweepParts` puts the parts back
// together: the same bytes as the unsplit sweep outside `engine`. A pure function of the scenario outside `engine`.

import { createHash } from 'node:crypto';
import { ScenarioError, validateScenario } from './scenario/load.ts';
import { formatPath, type PathSegment, parsePath, setAtPath } from './scenario/paths.ts';
import { type Scenario, scenarioSchema } from './scenario/schema.ts';
import { simulate } from './simulate.ts';
import { type EngineInfo, engineFigures, type SchemeResult } from './stats/results.ts';
import { IVSIM_VERSION } from './version.ts';

/** One axis of a sweep: a field path (as `--set` takes it) and the values it takes, in order. */
export interface SweepAxis {
  /** A scenario field path such as `devices[0].rate` or `costs.overrides.exitRoundTrip`. */
  path: string;
  /** The values set at `path`, one per point along this axis, as written in the sweep block. */
  values: unknown[];
}

/** One point of the matrix: its index, one value per axis (axis order) and the validated scenario it runs. */
export interface SweepPoint {
  /** Position in the matrix (0-based; mixed radix of the axes, the first axis outermost). */
  index: number;
  /** The value of each axis at this point, in axis order. */
  values: unknown[];
  /** The base scenario with this point's values set, validated. */
  scenario: Scenario;
}

/** Every point of a sweep, validated, before anything runs (`sweepPoints`). */
export interface SweepPlan {
  /** The base scenario's name. */
  scenario: string;
  /** The sweep block's axes, in order. */
  axes: SweepAxis[];
  /** sha256 of the ivsim version, the axes and every point's validated scenario: parts of one sweep share it. */
  fingerprint: string;
  /** Every point of the matrix, by index. */
  points: SweepPoint[];
}

/**
 * Wall-clock and work figures: the only part of a sweep's JSON that differs between runs (and between parts). A
 * run's engine figures summed over every point and scheme (shards = 1: the points run in turn on the calling
 * thread); a merged file's wall time is the sum of its parts'.
 */
export interface SweepEngine extends Omit<EngineInfo, 'partition' | 'crossShard' | 'schemeLanes'> {
  /** Merged files only: how many parts were merged. */
  parts?: number;
}

/** One point's results: the results object of that scenario (DESIGN §5) without `ivsim`, `scenario`, `engine`. */
export interface SweepPointResult {
  /** The point's index in the matrix. */
  index: number;
  /** Axis path → the value at this point, in axis order, as written in the sweep block. */
  values: Record<string, unknown>;
  /** The point's seed (a `seed` axis makes replicas). */
  seed: number;
  /** Simulated duration of each scheme's run, ns. */
  durationNs: number;
  /** The scenario's CPU frequency, GHz (cycles ↔ ns). */
  freqGHz: number;
  /** The cost preset the point ran with. */
  costPreset: string;
  /** One result per scheme, in the scenario's scheme order (bare-metal first when present). */
  schemes: SchemeResult[];
}

/** Which points a part file holds: point k belongs to part k mod count. */
export interface SweepPartInfo {
  /** This part's number, 0 ≤ index < count. */
  index: number;
  /** How many parts the sweep is split into. */
  count: number;
  /** The point indices this part holds, ascending. */
  points: number[];
}

/** A sweep's results JSON (`ivsim sweep F --json`), a part file, or merged parts (`ivsim merge`). */
export interface SweepResult {
  /** The ivsim version that ran it. */
  ivsim: string;
  /** The base scenario's name. */
  scenario: string;
  /** The sweep's fingerprint (SweepPlan.fingerprint): parts merge only with parts of the same sweep. */
  fingerprint: string;
  /** The sweep block's axes, in order. */
  axes: SweepAxis[];
  /** Points in the whole sweep (a part file holds fewer). */
  pointCount: number;
  /** Present in a part file only (`--index/--count`); a whole or merged sweep has none. */
  part?: SweepPartInfo;
  /** Run figures, the only field that differs between runs of one sweep. */
  engine: SweepEngine;
  /** The points' results, by index. */
  points: SweepPointResult[];
}

/** Point k's value index on each axis: mixed radix, the first axis outermost, the last fastest. */
export function pointCoordinates(lengths: readonly number[], k: number): number[] {
  const out = new Array<number>(lengths.length);
  let rest = k;
  for (let i = lengths.length - 1; i >= 0; i--) {
    out[i] = rest % lengths[i];
    rest = Math.floor(rest / lengths[i]);
  }
  return out;
}

const show = (v: unknown) => JSON.stringify(v);
/** Issues listed at most (as load.ts lists a file's). */
const MAX_ISSUES = 50;

/**
 * The points of a scenario input's `sweep:` block (after any `--set`), each validated; a path the schema lacks or a
 * value it refuses is a ScenarioError naming `scenario.sweep.axes[i].path` / `.values[j]` (one line per issue).
 */
export function sweepPoints(input: unknown): SweepPlan {
  const base = validateScenario(input);
  if (base.sweep === undefined)
    throw new ScenarioError('scenario.sweep: missing (ivsim sweep needs a sweep: block, or --lrs / --intervals)');
  const axes: SweepAxis[] = base.sweep.axes.map((a) => ({ path: a.path, values: a.values }));
  const paths = axes.map((a) => parsePath(a.path) as PathSegment[]);
  const at = paths.map((p) => formatPath(p));
  const baseInput = structuredClone(input) as Record<string, unknown>;
  delete baseInput.sweep;
  const lengths = axes.map((a) => a.values.length);
  const total = lengths.reduce((p, n) => p * n, 1);
  const points: SweepPoint[] = [];
  // Every distinct issue once: a bad axis value gives the same line at each point it is part of.
  const issues = new Set<string>();
  let failedPoints = 0;
  for (let k = 0; k < total; k++) {
    const coords = pointCoordinates(lengths, k);
    const values = coords.map((j, i) => axes[i].values[j]);
    const where = (i: number) =>
      `scenario.sweep.axes[${i}].values[${coords[i]}] (${axes[i].path} = ${show(values[i])})`;
    const next = structuredClone(baseInput);
    paths.forEach((p, i) => {
      try {
        setAtPath(scenarioSchema, next, p, structuredClone(values[i]));
      } catch (e) {
        throw new ScenarioError(`scenario.sweep.axes[${i}].path: ${(e as Error).message}`);
      }
    });
    try {
      points.push({ index: k, values, scenario: validateScenario(next) });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      // Each issue is named by the axis whose field it is at or inside, else by the whole point.
      const lines = e.message.split('\n').map((line) => {
        let i = -1; // the last axis applied wins where two paths overlap
        at.forEach((a, j) => {
          if (line.startsWith(`${a}:`) || line.startsWith(`${a}.`) || line.startsWith(`${a}[`)) i = j;
        });
        const point = `scenario.sweep point ${k} (${axes.map((a, j) => `${a.path} = ${show(values[j])}`).join(', ')})`;
        return `${i >= 0 ? where(i) : point}: ${line}`;
      });
      failedPoints++;
      for (const l of lines) issues.add(l);
      if (issues.size >= MAX_ISSUES) break;
    }
  }
  if (issues.size > 0) {
    const shown = [...issues].slice(0, MAX_ISSUES);
    if (issues.size >= MAX_ISSUES) shown.push(`(stopped after ${failedPoints} failing points)`);
    throw new ScenarioError(shown.join('\n'));
  }
  const { sweep: _s, ...named } = base;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ ivsim: IVSIM_VERSION, axes, base: named, points: points.map((p) => p.scenario) }))
    .digest('hex');
  return { scenario: base.name, axes, fingerprint, points };
}

/** Checks a part selection (integers, 0 ≤ index < count); throws a ScenarioError naming `what` otherwise. */
export function checkPart(index: number, count: number, what = '--index/--count'): void {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new ScenarioError(`${what}: count must be an integer ≥ 1, got ${count}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new ScenarioError(`${what}: index must be an integer 0..${count - 1}, got ${index}`);
}

/** The points of part `index` of `count`: point k goes to part k mod count (a deterministic round-robin deal). */
export function partPoints<P extends { index: number }>(points: readonly P[], index: number, count: number): P[] {
  checkPart(index, count);
  return points.filter((p) => p.index % count === index);
}

/**
 * Runs points of a plan on the calling thread, in index order (each point is `simulate()` of its scenario: every
 * scheme, bare-metal as the reference). With `part`, the result is a part file naming the points it holds.
 */
export function runSweepPoints(
  plan: SweepPlan,
  points: readonly SweepPoint[] = plan.points,
  opts: { part?: { index: number; count: number }; onPoint?: (done: number, total: number) => void } = {},
): SweepResult {
  const out: SweepPointResult[] = [];
  let events = 0;
  let interrupts = 0;
  let wall = 0;
  points.forEach((p, n) => {
    const r = simulate(p.scenario);
    events += r.engine.events;
    interrupts += r.engine.simulatedInterrupts;
    wall += r.engine.wallSeconds;
    out.push({
      index: p.index,
      values: Object.fromEntries(plan.axes.map((a, i) => [a.path, p.values[i]])),
      seed: r.seed,
      durationNs: r.durationNs,
      freqGHz: r.freqGHz,
      costPreset: r.costPreset,
      schemes: r.schemes,
    });
    opts.onPoint?.(n + 1, points.length);
  });
  const part = opts.part
    ? { index: opts.part.index, count: opts.part.count, points: out.map((p) => p.index) }
    : undefined;
  return sweepResult(plan, part, engineOf(wall, events, interrupts), out);
}

function engineOf(wallSeconds: number, events: number, interrupts: number, parts?: number): SweepEngine {
  return { ...engineFigures(1, wallSeconds, events, interrupts), ...(parts !== undefined ? { parts } : {}) };
}

/** The fields in one order for whole, part and merged files, so their bytes outside `engine` compare. */
function sweepResult(
  plan: { scenario: string; fingerprint: string; axes: SweepAxis[]; pointCount: number } | SweepPlan,
  part: SweepPartInfo | undefined,
  engine: SweepEngine,
  points: SweepPointResult[],
): SweepResult {
  return {
    ivsim: IVSIM_VERSION,
    scenario: plan.scenario,
    fingerprint: plan.fingerprint,
    axes: plan.axes,
    pointCount: 'pointCount' in plan ? plan.pointCount : plan.points.length,
    ...(part ? { part } : {}),
    engine,
    points,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Merges part files of one sweep (each `{ name, json }`, `json` as parsed): the points back in index order and the
 * engine figures summed. Parts of different sweeps (fingerprints differ), a point in two parts or a point in none is
 * a one-line ScenarioError. No point is split between parts, so no result is combined: each is copied as it was.
 */
export function mergeSweepParts(parts: readonly { name: string; json: unknown }[]): SweepResult {
  if (parts.length === 0) throw new ScenarioError('merge: expected at least one part file');
  const owner = new Map<number, string>();
  const points: SweepPointResult[] = [];
  let first: SweepResult | undefined;
  let firstName = '';
  let wall = 0;
  let events = 0;
  let interrupts = 0;
  for (const { name, json } of parts) {
    if (!isObj(json) || !isObj(json.part) || typeof json.fingerprint !== 'string' || !Array.isArray(json.points))
      throw new ScenarioError(
        `${name}: not a sweep part file (no "part" field; write parts with ivsim sweep FILE --index I --count N --json F)`,
      );
    const r = json as unknown as SweepResult;
    if (first === undefined) [first, firstName] = [r, name];
    else if (r.fingerprint !== first.fingerprint)
      throw new ScenarioError(
        `${name}: sweep fingerprint ${r.fingerprint.slice(0, 12)} differs from ${firstName}'s ${first.fingerprint.slice(0, 12)} (parts of different sweeps or ivsim versions do not merge)`,
      );
    const held = r.points.map((p) => p.index);
    if (JSON.stringify(held) !== JSON.stringify(r.part?.points))
      throw new ScenarioError(`${name}: its points (${held.join(', ')}) are not the ones its "part" field lists`);
    for (const p of r.points) {
      if (!Number.isSafeInteger(p.index) || p.index < 0 || p.index >= first.pointCount)
        throw new ScenarioError(`${name}: point ${p.index} is outside the sweep's ${first.pointCount} points`);
      const prev = owner.get(p.index);
      if (prev !== undefined)
        throw new ScenarioError(
          `${name}: point ${p.index} is also in ${prev === name ? 'this file (given twice?)' : prev} (duplicate parts)`,
        );
      owner.set(p.index, name);
      points.push(p);
    }
    wall += r.engine.wallSeconds;
    events += r.engine.events;
    interrupts += r.engine.simulatedInterrupts;
  }
  const f = first as SweepResult;
  if (points.length !== f.pointCount) {
    const missing: number[] = [];
    for (let k = 0; k < f.pointCount; k++) if (!owner.has(k)) missing.push(k);
    const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? ', …' : '');
    throw new ScenarioError(
      `merge: ${missing.length} of ${f.pointCount} points are in no part (${shown}); a part missing?`,
    );
  }
  points.sort((a, b) => a.index - b.index);
  return sweepResult(f, undefined, engineOf(wall, events, interrupts, parts.length), points);
}
