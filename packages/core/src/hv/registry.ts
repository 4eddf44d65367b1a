// Scheme ids → factories (one file per scheme). A full mapped Record: the compiler checks every id of the descriptor
// list (hv/descriptors.ts) has one, and that each factory takes the options block its own descriptor declares.
// Only the composition root (run/compose.ts) calls them, once per scheme run (DESIGN §19.12).

import type { SchemeId } from '../scenario/schema.ts';
import { ArmGicv2Scheme } from './arm-gicv2.ts';
import { ArmGicv3Scheme } from './arm-gicv3.ts';
import { ArmGicv4Scheme } from './arm-gicv4.ts';
import { BareMetalScheme } from './bare-metal.ts';
import type { SchemeConfig } from './descriptors.ts';
import type { DeliveryScheme, SchemeHost } from './scheme.ts';
import { X86ApicvPiScheme } from './x86-apicv-pi.ts';
import { X86AvicScheme } from './x86-avic.ts';
import { X86EliScheme } from './x86-eli.ts';
import { X86EmulScheme } from './x86-emul.ts';
import { X86VmxScheme } from './x86-vmx.ts';

/**
 * Builds scheme `Id` for one run: `host` is the engine being built (its configuration — scenario, topology, costs,
 * sizes — is set; its effects may not be called yet), `config` the scheme's validated options block. Each scheme's
 * constructor takes both and sizes its per-vCPU state there, once; its `init` only resets one vCPU.
 */
export type SchemeFactory<Id extends SchemeId> = (host: SchemeHost, config: SchemeConfig<Id>) => DeliveryScheme;

/** What the registry knows of a scheme: its factory, and what its options decide before the engine is built. */
export interface SchemeEntry<Id extends SchemeId> {
  readonly create: SchemeFactory<Id>;
  /**
   * Whether the guest-visible LAPIC has no TSC-deadline timer with this config, so an `auto` guest timer is
   * one-shot (sim/guest-model.ts). Absent: it has one, or the architecture has no LAPIC timer.
   */
  readonly noTscDeadline?: (config: SchemeConfig<Id>) => boolean;
}

const SCHEMES: { readonly [Id in SchemeId]: SchemeEntry<Id> } = {
  'bare-metal': { create: (host) => new BareMetalScheme(host) },
  'x86-emul': {
    create: (host, config) => new X86EmulScheme(host, config),
    // QEMU's userspace LAPIC has no TSC-deadline mode, so a guest of it programs TMICT (one-shot).
    noTscDeadline: (config) => config.lapic === 'userspace',
  },
  'x86-vmx': { create: (host, config) => new X86VmxScheme(host, config) },
  'x86-apicv-pi': { create: (host, config) => new X86ApicvPiScheme(host, config) },
  'x86-eli': { create: (host) => new X86EliScheme(host) },
  'arm-gicv2': { create: (host) => new ArmGicv2Scheme(host) },
  'arm-gicv3': { create: (host) => new ArmGicv3Scheme(host) },
  'arm-gicv4': { create: (host, config) => new ArmGicv4Scheme(host, config) },
  'x86-avic': { create: (host) => new X86AvicScheme(host) },
};

/** The registry entry of scheme `id` (the composition root calls its factory). */
export function schemeEntry<Id extends SchemeId>(id: Id): SchemeEntry<Id> {
  return SCHEMES[id] as SchemeEntry<Id>;
}

/** The scheme ids the engine implements (every id of ALL_SCHEMES today). */
export function implementedSchemes(): SchemeId[] {
  return Object.keys(SCHEMES) as SchemeId[];
}
