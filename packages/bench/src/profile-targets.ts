// What `--profile` runs: by default x86-compare and fleet at fixed durations; with scenario arguments, each named
// built-in or YAML/JSON file at its own duration. Everything is read and validated before any run, so a bad file is
// bad input (BenchInputError, exit 2) with the loader's own one-line message.

import { basename, extname } from 'node:path';
import {
  BUILTIN_SCENARIOS,
  loadScenarioInput,
  type Scenario,
  ScenarioError,
  type ScenarioInput,
  validateScenario,
} from '@ivsim/core';
import { BenchInputError } from './compare.ts';

export interface ProfileTarget {
  /** Built-in name or the file's base name; names the .cpuprofile. */
  name: string;
  /** The scenario: a built-in as written, or a file's validated contents (simulate() runs it for durationNs). */
  input: ScenarioInput | Scenario;
  durationNs: number;
}

/** Virtual ns of the default profiled runs: long enough for a stable profile, short enough to be cheap. */
export const PROFILE_DURATIONS = { full: { x86Compare: 250e6, fleet: 40e6 }, quick: { x86Compare: 50e6, fleet: 10e6 } };

const scaled = (ns: number, scale: number) => Math.max(1000, Math.round(ns * scale));

export function defaultProfileTargets(quick: boolean, scale: number): ProfileTarget[] {
  const d = quick ? PROFILE_DURATIONS.quick : PROFILE_DURATIONS.full;
  return [
    { name: 'x86-compare', input: BUILTIN_SCENARIOS['x86-compare'], durationNs: scaled(d.x86Compare, scale) },
    { name: 'fleet', input: BUILTIN_SCENARIOS.fleet, durationNs: scaled(d.fleet, scale) },
  ];
}

export function resolveProfileTargets(args: readonly string[], scale: number): ProfileTarget[] {
  return args.map((arg) => {
    try {
      const builtin = Object.hasOwn(BUILTIN_SCENARIOS, arg);
      const input = builtin ? BUILTIN_SCENARIOS[arg] : loadScenarioInput(arg);
      const s = validateScenario(input);
      return {
        name: builtin ? arg : basename(arg, extname(arg)),
        input: s,
        durationNs: scaled(s.duration, scale),
      };
    } catch (e) {
      if (e instanceof ScenarioError) {
        // One line: the first issue, and how to see the others.
        const lines = e.message.split('\n');
        const more = lines.length > 1 ? ` (+${lines.length - 1} more; \`ivsim validate ${arg}\` lists them)` : '';
        throw new BenchInputError(`--profile ${arg}: ${lines[0]}${more}`);
      }
      throw e;
    }
  });
}
