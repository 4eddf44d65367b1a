// Machine description saved with every report, so that a comparison can tell when it compares different machines.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, arch as osArch, platform, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { MachineInfo } from './compare.ts';

export function machineInfo(now = new Date()): MachineInfo {
  const c = cpus();
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    availableParallelism: availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    arch: osArch(),
    totalMemMiB: Math.round(totalmem() / 2 ** 20),
    loadAvgAtStart: Math.round(loadavg()[0] * 100) / 100,
    gitCommit: gitCommit(),
    date: now.toISOString(),
  };
}

/**
 * The commit checked out in the working tree, i.e. what `git rev-parse HEAD` prints, or null outside a repository.
 * IVSIM_GIT_COMMIT (or GITHUB_SHA) overrides it. Read from .git directly rather than by spawning git: no
 * dependency on a git binary, and nothing that could take a lock while other tools use the repository.
 */
export function gitCommit(start = process.cwd()): string | null {
  const env = process.env.IVSIM_GIT_COMMIT ?? process.env.GITHUB_SHA;
  if (env) return env;
  try {
    let dir = resolve(start);
    for (;;) {
      const dotGit = join(dir, '.git');
      if (existsSync(dotGit)) return readHead(dotGit);
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  } catch {
    return null;
  }
}

function readHead(dotGit: string): string | null {
  let gitDir = dotGit;
  if (statSync(dotGit).isFile()) {
    // worktree / submodule: ".git" is a file "gitdir: <path>"
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m) return null;
    gitDir = resolve(dirname(dotGit), m[1].trim());
  }
  const commonFile = join(gitDir, 'commondir');
  const commonDir = existsSync(commonFile) ? resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
  const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  const ref = /^ref:\s*(.+)$/.exec(head);
  if (!ref) return /^[0-9a-f]{40,64}$/.test(head) ? head : null;
  for (const d of [gitDir, commonDir]) {
    const f = join(d, ref[1]);
    if (existsSync(f)) return readFileSync(f, 'utf8').trim() || null;
  }
  const packed = join(commonDir, 'packed-refs');
  if (existsSync(packed))
    for (const line of readFileSync(packed, 'utf8').split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref[1] && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
    }
  return null; // unborn branch
}
