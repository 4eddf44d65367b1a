import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Workers and the CLI run compiled dist/ JS, so every test run starts from a fresh build.
// A type error fails the run on purpose.
export default function setup(): void {
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-b'], { stdio: 'inherit' });
}
