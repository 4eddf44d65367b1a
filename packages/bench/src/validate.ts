#!/usr/bin/env node
// `pnpm validate`: the validation suite (docs/VALIDATION.md). Runs every case (or --case …), prints the table of
// source, expected, simulated, error and verdict; exit 0 only if every case is within its range, 1 on a miss,
// 2 on bad arguments. Deterministic: fixed seeds, no wall-clock value in the table.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runValidate } from './validate/runner.ts';

export { CASES, GROUPS, selectCases } from './validate/registry.ts';
export { runCase, runValidate } from './validate/runner.ts';

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  let code: number;
  try {
    code = runValidate(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    code = 1;
  }
  process.stdout.write('', () => process.exit(code));
}
