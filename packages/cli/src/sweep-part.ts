// Which part of a sweep this process runs (DESIGN §11 "Sweeps"): `--index I --count N`, or, when the flags are absent,
// the index a batch system gives each task — JOB_COMPLETION_INDEX in a Kubernetes Indexed Job (the count then comes
// from --count: Kubernetes sets no variable for it), SLURM_ARRAY_TASK_ID in a Slurm job array (the count from
// SLURM_ARRAY_TASK_COUNT, the index relative to SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP). Point k of the
// sweep goes to part k mod N (core partPoints).

import { checkPart, ScenarioError } from '@ivsim/core';

export interface PartChoice {
  index: number;
  count: number;
  /** Where the index came from: `--index`, `JOB_COMPLETION_INDEX` or `SLURM_ARRAY_TASK_ID`. */
  from: string;
}

/** A non-negative integer environment variable, or undefined when unset or empty; anything else names it (exit 2). */
function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw new ScenarioError(`${name}: expected a non-negative integer, got "${v}"`);
  return Number(v);
}

/** The part to run, or null for the whole sweep. */
export function choosePart(flags: { index?: number; count?: number }, env: NodeJS.ProcessEnv): PartChoice | null {
  let index = flags.index;
  let count = flags.count;
  let from = '--index';
  if (index === undefined) {
    const k8s = envInt(env, 'JOB_COMPLETION_INDEX');
    const slurm = k8s === undefined ? envInt(env, 'SLURM_ARRAY_TASK_ID') : undefined;
    if (k8s !== undefined) [index, from] = [k8s, 'JOB_COMPLETION_INDEX'];
    else if (slurm !== undefined) {
      const min = envInt(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
      const step = envInt(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
      if (slurm < min || step < 1 || (slurm - min) % step !== 0)
        throw new ScenarioError(
          `SLURM_ARRAY_TASK_ID: task ${slurm} is not min ${min} + a multiple of step ${step} (submit the array as a range, --array=0-N)`,
        );
      [index, from] = [(slurm - min) / step, 'SLURM_ARRAY_TASK_ID'];
      count ??= envInt(env, 'SLURM_ARRAY_TASK_COUNT');
    }
  }
  if (index === undefined && count === undefined) return null;
  if (index === undefined)
    throw new ScenarioError(
      '--count: needs --index (or JOB_COMPLETION_INDEX of a Kubernetes Indexed Job, or SLURM_ARRAY_TASK_ID of a Slurm array task)',
    );
  if (count === undefined)
    throw new ScenarioError(
      from === '--index'
        ? '--index: needs --count (the number of parts)'
        : `--count: required with ${from} (the number of parts: the Indexed Job's completions)`,
    );
  checkPart(index, count, from === '--index' ? '--index/--count' : `${from}/--count`);
  return { index, count, from };
}
