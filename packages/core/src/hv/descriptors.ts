// The list of scheme descriptors (DESIGN §19.8), and what is derived from it: the scheme ids (all, per
// architecture), the cost families and their keys, and the exit reasons and blocking counters schemes add. Only
// descriptor files are imported here, and they import no code, so the scenario schema, the cost table and the
// vocabulary can use this module without importing any scheme. hv/registry.ts maps each id to its factory; a new scheme adds its
// descriptor to this list and its factory there.

import { ARM_GICV2, ARM_GICV3, ARM_GICV4 } from './arm-gic.desc.ts';
import { BARE_METAL } from './bare-metal.desc.ts';
import {
  CPU_COSTS,
  GIC_CPUIF_COSTS,
  KVM_COSTS,
  KVM_X86_COSTS,
  TRANSIT_COSTS,
  X86_LAPIC_COSTS,
} from './common-costs.ts';
import type { Arch, CostFamily, CounterGroup, SchemeDescriptor } from './descriptor.ts';
import { X86_APICV_PI } from './x86-apicv-pi.desc.ts';
import { X86_AVIC } from './x86-avic.desc.ts';
import { X86_ELI } from './x86-eli.desc.ts';
import { X86_EMUL, X86_VMX } from './x86-vmx.desc.ts';

/** Every scheme, in the order listings and error messages use. */
export const DESCRIPTORS = [
  BARE_METAL,
  X86_EMUL,
  X86_VMX,
  X86_APICV_PI,
  X86_ELI,
  ARM_GICV2,
  ARM_GICV3,
  ARM_GICV4,
  X86_AVIC,
] as const satisfies readonly SchemeDescriptor[];

type Descriptor = (typeof DESCRIPTORS)[number];
/** A delivery scheme id: `bare-metal`, `x86-emul`, `x86-vmx`, `x86-apicv-pi`, `x86-eli`, `x86-avic`, `arm-gicv2/3/4`. */
// Spelled with `typeof` rather than through Descriptor, so the public type names nothing users cannot import.
export type SchemeId = (typeof DESCRIPTORS)[number]['id'];

const SHARED_FAMILIES = [TRANSIT_COSTS, CPU_COSTS, X86_LAPIC_COSTS, GIC_CPUIF_COSTS, KVM_COSTS, KVM_X86_COSTS] as const;

/** Every cost family: the shared ones, then each descriptor's own, in list order. */
export const COST_FAMILIES: readonly CostFamily[] = [
  ...SHARED_FAMILIES,
  ...DESCRIPTORS.flatMap((d): readonly CostFamily[] => d.owns),
];

/** One cost entry's name (COST_NAMES): the keys of every family, as a union. */
// The family keys read off `meanings` with `typeof` and `infer` (not FamilyKeys/Descriptor), for the same reason.
export type CostName =
  | ((typeof SHARED_FAMILIES)[number] extends infer F
      ? F extends { meanings: infer M }
        ? keyof M & string
        : never
      : never)
  | ((typeof DESCRIPTORS)[number]['owns'][number] extends infer F
      ? F extends { meanings: infer M }
        ? keyof M & string
        : never
      : never);

/** Exit reasons the schemes add to the shared vocabulary, in list order (model/vocabulary.ts appends them). */
export type SchemeExitReason = Descriptor['exitReasons'][number];
export const SCHEME_EXIT_REASONS = DESCRIPTORS.flatMap((d) => d.exitReasons as readonly SchemeExitReason[]);

/** The blocking-counter groups schemes add (results' `blocking.<group>`), in list order (model/blocking-slots.ts). */
export const SCHEME_COUNTER_GROUPS: readonly CounterGroup[] = DESCRIPTORS.flatMap(
  (d): readonly CounterGroup[] => d.counters,
);

/** One scheme counter's slot name (`pi.snSuppressed`), as a union. */
export type SchemeCounterSlot = (typeof DESCRIPTORS)[number]['counters'][number] extends infer C
  ? C extends { group: infer G extends string; meanings: infer M }
    ? `${G}.${keyof M & string}`
    : never
  : never;

/** The slot names of the schemes' counter groups, in list order (model/blocking-slots.ts appends them). */
export const SCHEME_COUNTER_SLOTS = SCHEME_COUNTER_GROUPS.flatMap((g) =>
  Object.keys(g.meanings).map((k) => `${g.group}.${k}` as SchemeCounterSlot),
);

const ids = (arch?: Arch): SchemeId[] =>
  DESCRIPTORS.filter((d) => arch === undefined || (d.arch as readonly Arch[]).includes(arch)).map((d) => d.id);

export const ALL_SCHEME_IDS = ids() as [SchemeId, ...SchemeId[]];
export const X86_SCHEME_IDS: readonly SchemeId[] = ids('x86');
export const ARM_SCHEME_IDS: readonly SchemeId[] = ids('arm');

export function descriptorOf(id: SchemeId): SchemeDescriptor {
  const d = DESCRIPTORS.find((x) => x.id === id);
  if (!d) throw new Error(`internal: no descriptor for scheme ${id}`);
  return d;
}

/**
 * The options block scheme `id` receives from its factory (hv/registry.ts): the values of the options its descriptor
 * declares, validated and defaulted by the scenario schema (an empty object for a scheme that declares none).
 */
// Spelled with `typeof`, `Extract` and `infer` (not through Descriptor), for the same reason as SchemeId.
export type SchemeConfig<Id extends SchemeId> = Extract<
  (typeof DESCRIPTORS)[number],
  { id: Id }
>['options'] extends infer O
  ? {
      -readonly [K in keyof O]: O[K] extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
        ? V
        : O[K] extends { readonly type: 'boolean' }
          ? boolean
          : never;
    }
  : never;

/** The schemes that declare options: the keys of a scenario's `schemeOptions`. */
export type ConfiguredSchemeId = {
  [Id in SchemeId]: keyof Extract<(typeof DESCRIPTORS)[number], { id: Id }>['options'] extends never ? never : Id;
}[SchemeId];

/** A validated scenario's `schemeOptions`: every configured scheme's block, defaults filled in. */
export type SchemeOptions = { [Id in ConfiguredSchemeId]: SchemeConfig<Id> };

/** The cost families scheme `id` reads on `arch` (empty when it does not run there). */
export function familiesRead(id: SchemeId, arch: Arch): readonly CostFamily[] {
  return (descriptorOf(id).reads as Partial<Record<Arch, readonly CostFamily[]>>)[arch] ?? [];
}

/** Why scheme `id` keeps every VM on one shard (its descriptor's `wholeVms`), or null when its VMs may be split. */
export function wholeVmsReason(id: SchemeId): string | null {
  return descriptorOf(id).wholeVms ?? null;
}
