// scripts/stale-build.mjs decides whether `pnpm ivsim` runs `tsc -b` first: on a throwaway tree with set mtimes.

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleBuild } from '../../../scripts/stale-build.mjs';

function tree(): { root: string; at: (path: string, seconds: number) => void } {
  const root = mkdtempSync(join(tmpdir(), 'ivsim-stale-'));
  const at = (path: string, seconds: number) => {
    const p = join(root, path);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, '');
    utimesSync(p, seconds, seconds);
  };
  for (const pkg of ['core', 'cli']) {
    at(`packages/${pkg}/src/index.ts`, 1000);
    at(`packages/${pkg}/tsconfig.json`, 1000);
    at(`packages/${pkg}/dist/.tsbuildinfo`, 2000);
    // Directory mtimes count too (a deleted file); pin them to the past.
    for (const d of ['', '/src', '/dist']) utimesSync(join(root, `packages/${pkg}${d}`), 1000, 1000);
  }
  at('tsconfig.base.json', 1000);
  return { root, at };
}

describe('staleBuild', () => {
  it('is current when every build is newer than its sources', () => {
    expect(staleBuild(tree().root)).toBe(false);
  });

  it('is stale when a source file, a nested one, a tsconfig or the base config is newer', () => {
    for (const path of [
      'packages/core/src/index.ts',
      'packages/cli/src/deep/nested.ts',
      'packages/cli/tsconfig.json',
      'tsconfig.base.json',
    ]) {
      const t = tree();
      t.at(path, 3000);
      expect(staleBuild(t.root), path).toBe(true);
    }
  });

  it('is stale when a package was never built', () => {
    const t = tree();
    rmSync(join(t.root, 'packages/cli/dist'), { recursive: true });
    expect(staleBuild(t.root)).toBe(true);
  });
});
