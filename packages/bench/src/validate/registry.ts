// Every validation case, in the order the table prints them (docs/VALIDATION.md has one section per group).

import { CALIBRATION_CASES } from './calibration.ts';
import { DALL_CASES } from './dall.ts';
import { ELI_CASES } from './eli.ts';
import { FIRST_ORDER_CASES } from './first-order.ts';
import { IPIV_CASES } from './ipiv.ts';
import { QUEUEING_CASES } from './queueing.ts';
import type { ValidationCase } from './types.ts';

export const CASES: ValidationCase[] = [
  ...QUEUEING_CASES,
  ...ELI_CASES,
  ...DALL_CASES,
  ...IPIV_CASES,
  ...FIRST_ORDER_CASES,
  ...CALIBRATION_CASES,
];

export const GROUPS: string[] = [...new Set(CASES.map((c) => c.group))];

/**
 * Cases matching a filter: an exact id, a group name, a dotted prefix of ids (`dall.x86` selects `dall.x86.vipi`,
 * not `dall.x86x`), or any prefix ending in '*'.
 */
export function selectCases(cases: ValidationCase[], filters: string[]): ValidationCase[] {
  if (filters.length === 0) return cases;
  return cases.filter((c) =>
    filters.some((f) => {
      if (f === c.id || f === c.group) return true;
      if (f.endsWith('*')) return c.id.startsWith(f.slice(0, -1));
      return c.id.startsWith(f.endsWith('.') ? f : `${f}.`);
    }),
  );
}

/** Ids must be unique and start with their group. */
export function checkRegistry(cases: ValidationCase[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) throw new Error(`duplicate validation case id ${c.id}`);
    seen.add(c.id);
    if (!c.id.startsWith(`${c.group}.`)) throw new Error(`case ${c.id} does not start with its group ${c.group}.`);
    if (c.expected.lo > c.expected.hi) throw new Error(`case ${c.id}: expected range is empty`);
  }
}
