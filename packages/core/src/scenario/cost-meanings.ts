// What each cost entry is, for the scenario reference (docs/SCENARIOS.md, `costs.overrides`): the meanings the
// cost families declare (hv/common-costs.ts and the schemes' descriptors).

import { COST_FAMILIES } from '../hv/descriptors.ts';
import type { CostName } from './costs.ts';

export const COST_MEANINGS = Object.fromEntries(COST_FAMILIES.flatMap((f) => Object.entries(f.meanings))) as Record<
  CostName,
  string
>;
