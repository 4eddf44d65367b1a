// The cross-commit bench's cases (abba-cases.ts) are scenarios the model accepts: a case that stopped validating
// would make every ABBA run fail in its first child, after minutes of others.

import { BUILTIN_SCENARIOS, COST_NAMES, validateScenario } from '@ivsim/core';
import { describe, expect, it } from 'vitest';
import { BENCH_CASES, benchCase } from '../src/abba-cases.ts';

describe('ABBA bench cases', () => {
  it.each(Object.keys(BENCH_CASES))('%s validates and runs on the shard count its name gives', (name) => {
    const c = benchCase(name, 1e6, BUILTIN_SCENARIOS as Record<string, Record<string, unknown>>, COST_NAMES);
    const s = validateScenario(c.scenario);
    expect(s.duration).toBe(1e6);
    expect(c.shards).toBe(name.includes('/') ? Number(name.split('/')[1]) : 0);
  });

  it('the bare-metal queue zeroes every cost and has no host timer', () => {
    const s = validateScenario(
      benchCase('bare-queue', 1e6, BUILTIN_SCENARIOS as Record<string, Record<string, unknown>>, COST_NAMES).scenario,
    );
    expect(s.host.timerHz).toBe(0);
    expect(Object.values(s.costs.overrides ?? {}).every((v) => v === 0)).toBe(true);
    expect(Object.keys(s.costs.overrides ?? {}).length).toBe(COST_NAMES.length);
  });

  it('names an unknown case in its error', () => {
    expect(() => benchCase('nope', 1e6, {}, COST_NAMES)).toThrow(/unknown case "nope"/);
  });
});
