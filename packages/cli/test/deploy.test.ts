// docs/deploy/: the Kubernetes Indexed Job manifest and the Slurm array script that run a sweep's parts and merge
// them. The manifest is parsed and checked for what makes it an Indexed Job whose pods are the sweep's parts; the
// script passes `bash -n` and shellcheck (skipped only when the binary is absent). Then both are run as their batch
// systems would run them — each part's command with the variables Kubernetes or Slurm sets, then the merge — and
// the merged sweep must equal the unsplit one byte for byte outside `engine`.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const root = new URL('../../../', import.meta.url).pathname;
const MANIFEST = join(root, 'docs/deploy/k8s-indexed-job.yaml');
const SCRIPT = join(root, 'docs/deploy/slurm-array.sh');
const EXAMPLE = join(root, 'examples/nic-rate-sweep.yaml');
/** Short virtual time, so that running every part stays quick. */
const SHORT = ['--set', 'duration=1ms'];
const dir = mkdtempSync(join(tmpdir(), 'ivsim-deploy-'));

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
/** The JSON text without its `engine` block (a flat object of numbers): what must be identical. */
const outsideEngine = (file: string) => readFileSync(file, 'utf8').replace(/\n {2}"engine": \{[^}]*\},?/, '');

/** The unsplit sweep of the example, to compare every merge with. */
function unsplit(): string {
  const f = join(dir, 'unsplit.json');
  if (!existsSync(f)) {
    const r = cli(['sweep', EXAMPLE, ...SHORT, '--json', f]);
    expect(r.status, r.stderr).toBe(0);
  }
  return outsideEngine(f);
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed manifest, read field by field
type Doc = Record<string, any>;

describe('docs/deploy/k8s-indexed-job.yaml', () => {
  const docs = parseAllDocuments(readFileSync(MANIFEST, 'utf8'));
  const objs = docs.map((d) => d.toJS() as Doc);
  const jobs = objs.filter((o) => o.kind === 'Job');
  const part = jobs.find((j) => j.spec.completionMode === 'Indexed') as Doc;
  const merge = jobs.find((j) => j !== part) as Doc;
  const partC = part?.spec.template.spec.containers[0];
  const mergeC = merge?.spec.template.spec.containers[0];

  it('parses as YAML: a claim, an Indexed Job of sweep parts and a merge Job', () => {
    for (const d of docs) expect(d.errors).toEqual([]);
    expect(objs.map((o) => o.kind)).toEqual(['PersistentVolumeClaim', 'Job', 'Job']);
    expect(part).toBeDefined();
    expect(merge).toBeDefined();
    for (const j of jobs) {
      expect(j.apiVersion).toBe('batch/v1');
      expect(j.spec.template.spec.restartPolicy).toBe('Never');
    }
  });

  it('is an Indexed Job whose completions equal the --count of every part, the index read from JOB_COMPLETION_INDEX', () => {
    const args: string[] = partC.args;
    expect(partC.command).toEqual(['ivsim']);
    expect(args[0]).toBe('sweep');
    const count = Number(args[args.indexOf('--count') + 1]);
    expect(part.spec.completions).toBe(count);
    expect(part.spec.parallelism).toBeLessThanOrEqual(count);
    expect(args).not.toContain('--index'); // the index comes from the environment
    const env = (partC.env as Doc[]).find((e) => e.name === 'JOB_COMPLETION_INDEX') as Doc;
    expect(env.valueFrom.fieldRef.fieldPath).toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    expect(args[args.indexOf('--json') + 1]).toBe('/parts/part-$(JOB_COMPLETION_INDEX).json');
    // The merge reads exactly the parts the Job writes, from the same claim.
    const files = (mergeC.args as string[]).filter((a) => /^\/parts\/part-/.test(a));
    expect(mergeC.args[0]).toBe('merge');
    expect(files).toEqual(Array.from({ length: count }, (_, i) => `/parts/part-${i}.json`));
    const claim = (j: Doc) =>
      (j.spec.template.spec.volumes as Doc[]).find((v) => v.name === 'parts')?.persistentVolumeClaim;
    expect(claim(part)).toEqual({ claimName: objs[0].metadata.name });
    expect(claim(merge)).toEqual({ claimName: objs[0].metadata.name });
    expect(merge.spec.template.spec.initContainers[0].command.join(' ')).toContain(`-ge ${count}`);
  });

  it('its commands, run as the pods would run them, merge to the unsplit sweep byte for byte outside engine', () => {
    const parts = join(dir, 'k8s');
    mkdirSync(parts);
    const local = (a: string) => a.replace('/scenario/sweep.yaml', EXAMPLE).replace(/^\/parts\//, `${parts}/`);
    for (let i = 0; i < part.spec.completions; i++) {
      // Kubernetes substitutes $(VAR) in args from the container's env; the CLI reads the variable itself.
      const args = (partC.args as string[]).map((a) => local(a.replace('$(JOB_COMPLETION_INDEX)', String(i))));
      const r = cli([...args, ...SHORT], { JOB_COMPLETION_INDEX: String(i) });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`part ${i} of 4 (from JOB_COMPLETION_INDEX)`);
    }
    const r = cli((mergeC.args as string[]).map(local));
    expect(r.status, r.stderr).toBe(0);
    expect(outsideEngine(join(parts, 'sweep.json'))).toBe(unsplit());
    expect(readFileSync(join(parts, 'sweep.csv'), 'utf8').split('\n')[0]).toMatch(
      /^point,devices\[0\]\.arrival\.rate,/,
    );
  });
});

describe('docs/deploy/slurm-array.sh', () => {
  it('passes bash -n', () => {
    const r = spawnSync('bash', ['-n', SCRIPT], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  const shellcheck = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!shellcheck)('is shellcheck-clean', () => {
    const r = spawnSync('shellcheck', [SCRIPT], { encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
  });

  it('submits an array of PARTS tasks and a merge that depends on it; run as those jobs, it merges to the unsplit sweep', () => {
    // Stand-ins on PATH: `ivsim` is this checkout's CLI; `sbatch` records its arguments and prints a job id.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const log = join(dir, 'sbatch.log');
    writeFileSync(join(bin, 'ivsim'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\necho "$*" >> "${log}"\necho "4242;cluster"\n`);
    for (const f of ['ivsim', 'sbatch']) chmodSync(join(bin, f), 0o755);
    const out = join(dir, 'slurm');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const run = (extra: NodeJS.ProcessEnv) =>
      spawnSync('bash', [SCRIPT, EXAMPLE, '3', out, ...SHORT], { encoding: 'utf8', env: { ...env, ...extra } });

    const submit = run({});
    expect(submit.status, submit.stderr).toBe(0);
    const [array, after] = readFileSync(log, 'utf8').trim().split('\n');
    expect(array).toContain('--array=0-2');
    expect(array).toContain('IVSIM_SLURM_STEP=part');
    expect(array).toContain(`${EXAMPLE} 3 ${out} --set duration=1ms`);
    expect(after).toContain('--dependency=afterok:4242');
    expect(after).toContain('IVSIM_SLURM_STEP=merge');

    // The array's tasks as Slurm runs them: ids from 10 (an --array=10-12 works the same), then the merge.
    for (let i = 0; i < 3; i++) {
      const task = run({
        IVSIM_SLURM_STEP: 'part',
        SLURM_ARRAY_TASK_ID: String(10 + i),
        SLURM_ARRAY_TASK_MIN: '10',
        SLURM_ARRAY_TASK_COUNT: '3',
      });
      expect(task.status, task.stderr).toBe(0);
      expect(task.stderr).toContain(`part ${i} of 3 (from SLURM_ARRAY_TASK_ID)`);
    }
    const merged = run({ IVSIM_SLURM_STEP: 'merge' });
    expect(merged.status, merged.stderr).toBe(0);
    expect(outsideEngine(join(out, 'sweep.json'))).toBe(unsplit());
    expect(run({ IVSIM_SLURM_STEP: 'bogus' }).status).toBe(2);
  });
});
