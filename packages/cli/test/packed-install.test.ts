// The CLI as a user installs it: `pnpm pack` of core, workers and cli (pnpm rewrites the workspace: ranges),
// all three tarballs installed into an empty folder with npm, then the npm-made bin symlink run.
// Packs the dist/ the suite's global setup just built. Needs npm; third-party dependencies come from npm's cache.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;
const PNPM = ['-y', 'pnpm@10.34.9'];

// pnpm sets npm_config_* / npm_package_* for scripts it runs; they are not this npm's business.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const sh = (cmd: string, args: string[], cwd: string) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: cleanEnv, timeout: 120_000 });

const npmAvailable = sh('npm', ['--version'], ROOT).status === 0;
if (!npmAvailable) console.warn('packed-install.test: skipped — npm is not on PATH');

describe.skipIf(!npmAvailable)('installed ivsim (packed tarballs in an empty folder)', () => {
  const work = mkdtempSync(join(tmpdir(), 'ivsim-packed-'));
  const packs = join(work, 'packs');
  const app = join(work, 'app');
  const bin = join(app, 'node_modules', '.bin', 'ivsim');

  it('packs, installs without the private bench package and prints the x86-compare table', () => {
    for (const pkg of ['core', 'workers', 'cli']) {
      const r = sh('npx', [...PNPM, 'pack', '--pack-destination', packs], join(ROOT, 'packages', pkg));
      expect(r.status, `pack ${pkg}: ${r.stderr}`).toBe(0);
    }
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    expect(tarballs).toHaveLength(3);

    sh('mkdir', ['-p', app], work);
    writeFileSync(join(app, 'package.json'), '{ "private": true }\n'); // an empty project, not a parent's
    const npmArgs = ['install', '--no-audit', '--no-fund', '--no-package-lock', ...tarballs];
    let r = sh('npm', [...npmArgs, '--offline'], app);
    if (r.status !== 0 && /ENOTCACHED/.test(r.stderr)) {
      // A cold npm cache cannot install zod, commander, piscina … offline; let npm fill it once.
      console.warn('packed-install.test: npm cache incomplete, installing with --prefer-offline');
      r = sh('npm', [...npmArgs, '--prefer-offline'], app);
    }
    expect(r.status, `npm install: ${r.stderr}`).toBe(0);
    expect(existsSync(join(app, 'node_modules', '@ivsim', 'bench'))).toBe(false);

    // The bin is a symlink into node_modules/@ivsim/cli/dist: the CLI must still recognise it is being run.
    const run = sh(bin, ['run', 'x86-compare'], app);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^scheme\s+raised\s+dlv p50 µs/m);
    for (const id of ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'])
      expect(run.stdout).toMatch(new RegExp(`^${id}\\s+\\d+\\s.*\\syes$`, 'm'));
  });

  it('the libraries resolve from the install: the public entry points and @ivsim/core/internal', () => {
    const probe = [
      "import { simulate, BUILTIN_SCENARIOS } from '@ivsim/core';",
      "import { Sim } from '@ivsim/core/internal';",
      "import { runParallel } from '@ivsim/workers';",
      "const r = simulate(BUILTIN_SCENARIOS['x86-small'], { durationNs: 1e6, schemes: ['x86-vmx'] });",
      'console.log(typeof Sim, typeof runParallel, r.durationNs, r.schemes[0].scheme);',
    ].join('\n');
    const r = sh(process.execPath, ['--input-type=module', '-e', probe], app);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function 1000000 x86-vmx');
  });

  it('`ivsim bench` without the bench package fails with one clear line', () => {
    const r = sh(bin, ['bench'], app);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: bench: the benchmark suite \(@ivsim\/bench\) is not installed;[^\n]*$/);
  });
});
