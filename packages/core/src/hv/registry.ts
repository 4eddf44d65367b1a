// Scheme ids → implementations (one file per scheme). A full Record: the compiler checks every id of the descriptor
// list (hv/descriptors.ts) has one.

import type { SchemeId } from '../scenario/schema.ts';
import { ArmGicv2Scheme } from './arm-gicv2.ts';
import { ArmGicv3Scheme } from './arm-gicv3.ts';
import { ArmGicv4Scheme } from './arm-gicv4.ts';
import { BareMetalScheme } from './bare-metal.ts';
import type { DeliveryScheme } from './scheme.ts';
import { X86ApicvPiScheme } from './x86-apicv-pi.ts';
import { X86AvicScheme } from './x86-avic.ts';
import { X86EliScheme } from './x86-eli.ts';
import { X86EmulScheme } from './x86-emul.ts';
import { X86VmxScheme } from './x86-vmx.ts';

const FACTORIES: Record<SchemeId, () => DeliveryScheme> = {
  'bare-metal': () => new BareMetalScheme(),
  'x86-emul': () => new X86EmulScheme(),
  'x86-vmx': () => new X86VmxScheme(),
  'x86-apicv-pi': () => new X86ApicvPiScheme(),
  'x86-eli': () => new X86EliScheme(),
  'arm-gicv2': () => new ArmGicv2Scheme(),
  'arm-gicv3': () => new ArmGicv3Scheme(),
  'arm-gicv4': () => new ArmGicv4Scheme(),
  'x86-avic': () => new X86AvicScheme(),
};

export function createScheme(id: SchemeId): DeliveryScheme {
  return FACTORIES[id]();
}

/** The scheme ids the engine implements (every id of ALL_SCHEMES today). */
export function implementedSchemes(): SchemeId[] {
  return Object.keys(FACTORIES) as SchemeId[];
}
