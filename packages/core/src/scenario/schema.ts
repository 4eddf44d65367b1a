// The scenario schema (DESIGN §5): one zod schema for YAML and JSON files and built-ins. Validation errors name
// the path of the bad field (see load.ts). Times are numbers in ns or strings with a unit.

import { z } from 'zod';
import { parseTimeNs } from './units.ts';

export const X86_SCHEMES = ['bare-metal', 'x86-emul', 'x86-vmx', 'x86-apicv-pi', 'x86-eli'] as const;
export const ARM_SCHEMES = ['bare-metal', 'arm-gicv2', 'arm-gicv3', 'arm-gicv4'] as const;
export const ALL_SCHEMES = [
  'bare-metal',
  'x86-emul',
  'x86-vmx',
  'x86-apicv-pi',
  'x86-eli',
  'arm-gicv2',
  'arm-gicv3',
  'arm-gicv4',
] as const;
export type SchemeId = (typeof ALL_SCHEMES)[number];

const time = z
  .union([z.number(), z.string()])
  .refine((v) => parseTimeNs(v) !== undefined, {
    message: 'expected a time: a number of ns or a string such as "150us", "20ms"',
  })
  .transform((v) => parseTimeNs(v) as number);

const positiveTime = time.refine((ns) => ns > 0, { message: 'expected a time > 0' });

const vector = z.number().int().min(16, 'vectors 0-15 are reserved (SDM)').max(255);

export const distSchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('fixed'), value: time }),
  z.strictObject({ dist: z.literal('exponential'), mean: time }),
  z.strictObject({ dist: z.literal('uniform'), min: time, max: time }),
  z.strictObject({
    dist: z.literal('empirical'),
    values: z.array(time).min(1),
    weights: z.array(z.number().positive()).optional(),
  }),
]);
export type DistInput = z.infer<typeof distSchema>;

const guestSchema = z.strictObject({
  handler: distSchema.default({ dist: 'exponential', mean: 2000 }),
  idle: z
    .strictObject({
      activeMean: positiveTime,
      idleMean: positiveTime,
    })
    .optional(),
  ipi: z
    .strictObject({
      rate: z.number().nonnegative(),
      vector: vector.default(0xfb),
      handler: distSchema.optional(),
    })
    .optional(),
  timerVector: vector.default(0xec),
  timerHandler: distSchema.default({ dist: 'fixed', value: 500 }),
  // CR8/TPR accesses per interrupt in the guest handler path (IRQL-style raise/lower). They trap only without a
  // TPR shadow (x86-emul, semantics §B.1 step 6).
  tprAccessesPerInterrupt: z.number().int().min(0).max(16).default(0),
});

const vmSchema = z.strictObject({
  name: z.string().min(1),
  count: z.number().int().min(1).default(1),
  vcpus: z.number().int().min(1).max(4096),
  pin: z.union([z.literal('spread'), z.array(z.number().int().min(0))]).default('spread'),
  guest: guestSchema.default(guestSchema.parse({})),
});

const deviceSchema = z.strictObject({
  name: z.string().min(1),
  vm: z.string().min(1),
  kind: z.enum(['nic', 'nvme', 'generic']).default('generic'),
  queues: z.union([z.literal('per-vcpu'), z.array(z.number().int().min(0)).min(1)]).default('per-vcpu'),
  vector: vector,
  arrival: z.strictObject({
    process: z.enum(['poisson', 'periodic']),
    rate: z.number().positive(),
  }),
  moderation: z.strictObject({ minInterval: time }).optional(),
  handler: distSchema.optional(),
});

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    arch: z.enum(['x86', 'arm']),
    schemes: z.array(z.enum(ALL_SCHEMES)).min(1),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    duration: positiveTime,
    cpu: z.strictObject({ freqGHz: z.number().positive().max(10) }),
    costs: z
      .strictObject({
        preset: z.string().min(1),
        overrides: z.record(z.string(), z.number().nonnegative()).default({}),
      })
      .default({ preset: 'default', overrides: {} }),
    host: z.strictObject({
      pcpus: z.number().int().min(1).max(4096),
      timerHz: z.number().nonnegative().default(250),
      x2apic: z.boolean().default(true),
      schedSlice: positiveTime.default(3_000_000),
      /** ARM only: the GIC virtual CPU interface and GICv4 generation (defaults in gicConfig). */
      gic: z
        .strictObject({
          // ICH_VTR_EL2.ListRegs + 1 / GICH_VTR.ListRegs + 1: every Arm core ships 4 (pf §4.1), the maximum is 16.
          listRegs: z
            .number()
            .int('expected an integer number of list registers')
            .min(1, 'expected 1..16 list registers')
            .max(16, 'expected 1..16 list registers (the architectural maximum)')
            .default(4),
          // GICv4.0: per-vLPI doorbells enabled around WFI; GICv4.1: per-vPE doorbell and direct vSGIs.
          v4: z.enum(['4.0', '4.1']).default('4.1'),
        })
        .optional(),
    }),
    vms: z.array(vmSchema).min(1),
    devices: z.array(deviceSchema).default([]),
    engine: z
      .strictObject({
        /** Worker threads for the parallel runner; unset = one per core. Results do not depend on it. */
        shards: z.number().int().min(1).max(256).optional(),
        /**
         * How pCPUs are split among shards: `balanced` keeps each VM on one shard when load allows (no
         * cross-shard traffic, unbounded lookahead); `spread` deals pCPUs round-robin so IPIs cross shards (a
         * stress test of the window synchronization). Results do not depend on it.
         */
        partition: z.enum(['balanced', 'spread']).default('balanced'),
      })
      .default({ partition: 'balanced' }),
  })
  .superRefine((s, ctx) => {
    const allowed: readonly string[] = s.arch === 'x86' ? X86_SCHEMES : ARM_SCHEMES;
    s.schemes.forEach((id, i) => {
      if (!allowed.includes(id))
        ctx.addIssue({ code: 'custom', path: ['schemes', i], message: `scheme ${id} is not an ${s.arch} scheme` });
    });
    if (s.arch !== 'arm' && s.host.gic)
      ctx.addIssue({ code: 'custom', path: ['host', 'gic'], message: 'host.gic applies only to arch "arm"' });
    if (s.schemes.includes('arm-gicv2'))
      s.vms.forEach((vm, i) => {
        if (vm.vcpus > 8)
          ctx.addIssue({
            code: 'custom',
            path: ['vms', i, 'vcpus'],
            message: `arm-gicv2 supports at most 8 vCPUs per VM (GICv2 CPU targets), got ${vm.vcpus}`,
          });
      });
    if (new Set(s.schemes).size !== s.schemes.length)
      ctx.addIssue({ code: 'custom', path: ['schemes'], message: 'schemes must be unique' });
    const names = new Set<string>();
    s.vms.forEach((vm, i) => {
      if (names.has(vm.name)) ctx.addIssue({ code: 'custom', path: ['vms', i, 'name'], message: 'duplicate VM name' });
      names.add(vm.name);
      if (Array.isArray(vm.pin)) {
        if (vm.pin.length !== vm.vcpus)
          ctx.addIssue({
            code: 'custom',
            path: ['vms', i, 'pin'],
            message: `expected ${vm.vcpus} pCPU ids (one per vCPU)`,
          });
        vm.pin.forEach((p, j) => {
          if (p >= s.host.pcpus)
            ctx.addIssue({
              code: 'custom',
              path: ['vms', i, 'pin', j],
              message: `pCPU ${p} does not exist (host.pcpus = ${s.host.pcpus})`,
            });
        });
      }
    });
    s.devices.forEach((d, i) => {
      const vm = s.vms.find((v) => v.name === d.vm);
      if (!vm) {
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'vm'], message: `no VM named "${d.vm}"` });
        return;
      }
      if (Array.isArray(d.queues))
        d.queues.forEach((q, j) => {
          if (q >= vm.vcpus)
            ctx.addIssue({
              code: 'custom',
              path: ['devices', i, 'queues', j],
              message: `vCPU ${q} does not exist (vcpus = ${vm.vcpus})`,
            });
        });
      const nq = d.queues === 'per-vcpu' ? vm.vcpus : d.queues.length;
      if (d.vector + nq - 1 > 255)
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'vector'], message: `vector + queues exceeds 255` });
    });
  });

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type VmSpec = Scenario['vms'][number];
export type DeviceSpec = Scenario['devices'][number];
export type GuestSpec = VmSpec['guest'];

/** The GIC configuration of a scenario with its defaults: 4 list registers (every Arm core, pf §4.1), GICv4.1. */
export function gicConfig(s: Scenario): { listRegs: number; v41: boolean } {
  return { listRegs: s.host.gic?.listRegs ?? 4, v41: (s.host.gic?.v4 ?? '4.1') === '4.1' };
}
