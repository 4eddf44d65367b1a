// `pnpm ivsim …`: run the CLI from dist/, building first only when a package's sources are newer than its build
// (scripts/stale-build.mjs), so a call with dist/ current skips the ~0.3 s of a no-op `tsc -b`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBuild } from './stale-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (staleBuild(root)) {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const { main } = await import('../packages/cli/dist/main.js');
process.exit(await main(process.argv.slice(2)));
