// Writes docs/SCENARIOS.md and docs/scenario.schema.json from the scenario schema (packages/core/src/scenario/
// reference.ts, built to dist first: `pnpm docs:scenarios`). `--check` writes nothing and exits 1 when either file
// is out of date (the test packages/core/test/scenario/reference.test.ts checks the same from source).

import { readFileSync, writeFileSync } from 'node:fs';
import { scenarioJsonSchema, scenarioReferenceMarkdown } from '../packages/core/dist/scenario/reference.js';

const root = new URL('../', import.meta.url);
const files = [
  ['docs/SCENARIOS.md', scenarioReferenceMarkdown()],
  ['docs/scenario.schema.json', `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of files) {
  const url = new URL(path, root);
  let old = null;
  try {
    old = readFileSync(url, 'utf8');
  } catch {}
  if (old === text) continue;
  if (check) {
    console.error(`${path} is out of date: run pnpm docs:scenarios`);
    stale++;
  } else {
    writeFileSync(url, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
