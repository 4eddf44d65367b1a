// choosePart (sweep-part.ts): which part of a sweep this process runs — the flags first, then a Kubernetes Indexed
// Job's JOB_COMPLETION_INDEX (the count from --count), then a Slurm array task's SLURM_ARRAY_TASK_ID relative to its
// MIN in steps of STEP (the count from SLURM_ARRAY_TASK_COUNT); every bad combination a ScenarioError naming it.

import { describe, expect, it } from 'vitest';
import { choosePart } from '../src/sweep-part.ts';

describe('choosePart', () => {
  it.each([
    ['no flags, no variables: the whole sweep', {}, {}, null],
    ['the flags', { index: 1, count: 3 }, {}, { index: 1, count: 3, from: '--index' }],
    [
      'the flags win over the variables',
      { index: 0, count: 2 },
      { JOB_COMPLETION_INDEX: '5' },
      { index: 0, count: 2, from: '--index' },
    ],
    [
      'a Kubernetes Indexed Job',
      { count: 4 },
      { JOB_COMPLETION_INDEX: '3' },
      { index: 3, count: 4, from: 'JOB_COMPLETION_INDEX' },
    ],
    [
      'a Slurm array from 0',
      {},
      { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' },
      { index: 2, count: 4, from: 'SLURM_ARRAY_TASK_ID' },
    ],
    [
      'a Slurm array 10-22:4 (tasks 10, 14, 18, 22)',
      {},
      {
        SLURM_ARRAY_TASK_ID: '18',
        SLURM_ARRAY_TASK_MIN: '10',
        SLURM_ARRAY_TASK_STEP: '4',
        SLURM_ARRAY_TASK_COUNT: '4',
      },
      { index: 2, count: 4, from: 'SLURM_ARRAY_TASK_ID' },
    ],
    [
      'Kubernetes before Slurm when both are set',
      { count: 2 },
      { JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '9' },
      { index: 1, count: 2, from: 'JOB_COMPLETION_INDEX' },
    ],
    ['empty variables count as unset', {}, { JOB_COMPLETION_INDEX: '', SLURM_ARRAY_TASK_ID: ' ' }, null],
  ])('%s', (_what, flags, env, want) => {
    expect(choosePart(flags, env)).toEqual(want);
  });

  it.each([
    ['--index alone', { index: 0 }, {}, /^--index: needs --count/],
    ['--count alone', { count: 2 }, {}, /^--count: needs --index/],
    [
      'JOB_COMPLETION_INDEX without --count',
      {},
      { JOB_COMPLETION_INDEX: '0' },
      /^--count: required with JOB_COMPLETION_INDEX/,
    ],
    [
      'an index past the count',
      { count: 2 },
      { JOB_COMPLETION_INDEX: '2' },
      /^JOB_COMPLETION_INDEX\/--count: index must be an integer 0\.\.1, got 2$/,
    ],
    [
      'a negative-looking variable',
      {},
      { SLURM_ARRAY_TASK_ID: '-1' },
      /^SLURM_ARRAY_TASK_ID: expected a non-negative integer, got "-1"$/,
    ],
    [
      'a task off the array’s step',
      {},
      { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' },
      /^SLURM_ARRAY_TASK_ID: task 5 is not min 0 \+ a multiple of step 2/,
    ],
    ['a Slurm task without a count', {}, { SLURM_ARRAY_TASK_ID: '0' }, /^--count: required with SLURM_ARRAY_TASK_ID/],
  ])('%s is refused', (_what, flags, env, re) => {
    expect(() => choosePart(flags, env)).toThrow(re);
  });
});
