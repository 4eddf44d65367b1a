import { COST_NAMES, type CostName, type CostTable } from './costs.ts';
import { PRESETS } from './presets.ts';
import type { Scenario } from './schema.ts';

/** The preset named by the scenario with its overrides applied (validated in load.ts). */
export function resolveCosts(s: Scenario): CostTable {
  const preset = PRESETS[s.costs.preset];
  const table = { ...preset.costs };
  for (const [k, v] of Object.entries(s.costs.overrides)) table[k as CostName] = v;
  return table;
}

export const isCostName = (k: string): k is CostName => (COST_NAMES as readonly string[]).includes(k);
