// Shared set-up for the ARM rule tests: a VM's vgic state plus one ARM area (virtual CPU interface) per vCPU.

import { type CpuifConfig, LR_FMT_V2, LR_FMT_V3, newCpuifBlock } from '../../src/arch/arm/cpuif-block.ts';
import { vgicSetEnabled } from '../../src/hv/vgic/vgic-dist.ts';
import { VgicState } from '../../src/hv/vgic/vgic-state.ts';

export interface ArmVm {
  s: VgicState;
  g: Uint32Array[];
  fmt: number;
}

export interface ArmVmOptions extends CpuifConfig {
  gic: 2 | 3;
  vcpus?: number;
  spis?: number;
  lpis?: number;
  hasTdir?: boolean;
}

/** A VM whose guest model matches the hardware generation, with every SPI enabled. */
export function armVm(o: ArmVmOptions): ArmVm {
  const fmt = o.gic === 2 ? LR_FMT_V2 : LR_FMT_V3;
  const vcpus = o.vcpus ?? 2;
  const s = new VgicState({
    nrVcpus: vcpus,
    nrSpis: o.spis ?? 32,
    nrLpis: o.lpis ?? 0,
    model: o.gic,
    hasTdir: o.hasTdir,
  });
  const g: Uint32Array[] = [];
  for (let v = 0; v < vcpus; v++) g.push(newCpuifBlock(fmt, o));
  for (let k = 0; k < (o.spis ?? 32); k++) vgicSetEnabled(s, 0, 32 + k, true);
  // Guest groups match what the vCPU interface enables by default (Group 1).
  s.group.fill(1);
  return { s, g, fmt };
}

export const GICS = [
  { gic: 2 as const, name: 'GICv2' },
  { gic: 3 as const, name: 'GICv3' },
];
