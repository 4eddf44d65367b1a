// The `sweep:` block of a scenario (DESIGN §11 "Sweeps"): axes over any field paths, the same paths `--set` takes.
// The matrix is the cartesian product of the axes, the first axis outermost (param-sweep.ts); only the shape of the
// block is checked here — each point is the base scenario with its overrides applied, validated by the whole schema.

import { z } from 'zod';
import { parsePath } from './paths.ts';

/** No sweep has more points than this (every point is validated before anything runs; see param-sweep.ts). */
export const MAX_SWEEP_POINTS = 10_000;

const axisSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .refine((p) => parsePath(p) !== null, {
      message: 'expected a field path: keys joined by dots, list indices in brackets (devices[0].arrival.rate)',
    })
    .refine((p) => !/^sweep(\.|\[|$)/.test(p), { message: 'a sweep cannot sweep its own `sweep` block' })
    .describe(
      'The field this axis varies, as `--set` names it: keys joined by dots, list indices in brackets ' +
        '(`devices[0].arrival.rate`, `host.gic.listRegs`, `costs.overrides.exitRoundTrip`, `vms[0].vcpus`, ' +
        '`schemes`, `seed`).',
    ),
  values: z
    .array(z.unknown())
    .min(1)
    .max(MAX_SWEEP_POINTS)
    .describe(
      'The values the field takes, in order; each is what the field accepts in a file (`20ms`, `[x86-vmx]`, an ' +
        'object). Every point is checked against the whole schema before anything runs.',
    ),
});

export const sweepSchema = z
  .strictObject({
    axes: z
      .array(axisSchema)
      .min(1)
      .max(16)
      .describe(
        'The axes; the points are their cartesian product, the first axis outermost (point k counts in mixed ' +
          'radix, the last axis fastest). An axis over `seed` makes replicas.',
      ),
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.axes.forEach((a, i) => {
      const prev = seen.get(a.path);
      if (prev !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['axes', i, 'path'],
          message: `"${a.path}" is already swept by sweep.axes[${prev}]`,
        });
      else seen.set(a.path, i);
    });
    const n = s.axes.reduce((p, a) => p * a.values.length, 1);
    if (n > MAX_SWEEP_POINTS)
      ctx.addIssue({
        code: 'custom',
        path: ['axes'],
        message: `${n} points (the product of the axes' lengths), more than ${MAX_SWEEP_POINTS}`,
      });
  })
  .describe(
    'A parameter sweep, run by `ivsim sweep FILE` (ignored by `ivsim run`): the scenario once per point of the ' +
      'axes’ cartesian product, every scheme at every point. Parts of it run on other machines with `--index I ' +
      '--count N` and are merged with `ivsim merge` (DESIGN §11).',
  );

/** A scenario's validated `sweep:` block: its axes (path and values), in order. */
export type SweepSpec = z.output<typeof sweepSchema>;
