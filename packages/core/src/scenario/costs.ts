// The cost model: every step of semantics §B that the hardware or the hypervisor performs has an entry, in
// cycles of the scenario's CPU. The entries are grouped into cost families, each declared beside the schemes that
// read it (hv/common-costs.ts for the shared ones, a scheme's descriptor for its own; DESIGN §19.8). Presets live in
// presets.ts (each number cites a published figure in docs/costs.md, or says "estimate" and how it was chosen) and
// carry the families of their architecture only; scenario `costs.overrides` replace or add any entry by name.

import { COST_FAMILIES, type CostName } from '../hv/descriptors.ts';

export type { CostName };

/**
 * Every cost entry of the model (cycles each), family by family: the keys of a {@link CostTable} and of a scenario's
 * `costs.overrides`. What each entry measures and where its figure comes from: docs/costs.md.
 */
export const COST_NAMES = COST_FAMILIES.flatMap((f) => Object.keys(f.meanings)) as CostName[];

/**
 * The resolved table a run uses (resolve-costs.ts). It holds the keys of the scenario's preset and overrides;
 * validation (schema.ts) guarantees that every key a scheme of the scenario reads is among them, and the
 * cost-reads test checks that each scheme reads only the families its descriptor declares.
 */
export type CostTable = Record<CostName, number>;

/** What a preset provides: the families of the CPUs and hypervisors it describes, nothing for the others. */
export type PresetCosts = Partial<CostTable>;

/** A named table of costs measured on one machine, with its sources (docs/costs.md). */
export interface CostPreset {
  /** The name a scenario's `costs.preset` uses. */
  name: string;
  /** What machine and hypervisor the figures describe. */
  description: string;
  /** CPU the figures were measured on, for `cpu.freqGHz` defaults and reports. */
  cpu: string;
  /** That CPU's clock, GHz: the cycle counts are at this frequency. */
  freqGHz: number;
  /** The cost entries of the families this preset describes, cycles (the other architecture's are absent). */
  costs: PresetCosts;
}
