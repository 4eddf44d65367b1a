// Golden results: every built-in scenario's results JSON (outside `engine`), at a short duration, is a checked-in
// fixture. A refactor or a speed-up keeps them byte-identical; a model change regenerates them in a commit of its
// own that says which numbers moved and why:
//   IVSIM_UPDATE_GOLDEN=1 npx vitest run -c vitest.nobuild.config.ts packages/core/test/golden.test.ts

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS, builtinScenarioNames } from '../src/scenario/builtin.ts';
import { simulate } from '../src/simulate.ts';

/** Short enough for CI, long enough that every path of the scenario runs (fleet is 1,024 vCPUs, big-vm ~24 M events/s). */
const GOLDEN_DURATION: Record<string, string> = { fleet: '2ms', 'big-vm': '5ms' };
const update = process.env.IVSIM_UPDATE_GOLDEN === '1';

function goldenJson(name: string): string {
  const s = { ...BUILTIN_SCENARIOS[name], duration: GOLDEN_DURATION[name] ?? '20ms' };
  const { engine: _wallClock, ...rest } = simulate(s);
  return `${JSON.stringify(rest, null, 2)}\n`;
}

describe('golden results of the built-in scenarios', () => {
  it.each(builtinScenarioNames())('%s is byte-identical to its fixture', (name) => {
    const file = new URL(`./golden/${name}.json`, import.meta.url);
    const now = goldenJson(name);
    if (update) writeFileSync(file, now);
    expect(existsSync(file), `missing fixture ${name}.json (regenerate with IVSIM_UPDATE_GOLDEN=1)`).toBe(true);
    expect(now).toBe(readFileSync(file, 'utf8'));
  });
});
