import { COST_NAMES, type CostName, type CostTable } from './costs.ts';
import { PRESETS } from './presets.ts';
import type { Scenario } from './schema.ts';

/**
 * The preset named by the scenario with its overrides applied (validated in load.ts). Every entry is rounded to a
 * whole number of cycles here: virtual time is integral (DESIGN §7), which is what makes sums exact in any order
 * and so results identical whatever the shard count. (Every preset entry is already an integer.) The table holds
 * the preset's families and the overrides; the schema checked that each scheme of the scenario finds its keys.
 */
export function resolveCosts(s: Scenario): CostTable {
  const table: Partial<CostTable> = { ...PRESETS[s.costs.preset].costs };
  for (const [k, v] of Object.entries(s.costs.overrides)) if (v !== undefined) table[k as CostName] = v;
  for (const k of Object.keys(table) as CostName[]) table[k] = Math.round(table[k] as number);
  return table as CostTable;
}

export const isCostName = (k: string): k is CostName => (COST_NAMES as readonly string[]).includes(k);
