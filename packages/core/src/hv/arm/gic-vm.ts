// Per-VM GIC state for the ARM schemes: the KVM vgic (one VgicState per VM, as KVM's struct vgic_dist), the
// guest-visible emulated ITS (GICv3/v4: the assigned NIC's MSIs are LPIs), and for GICv4 the host ITS with the
// NIC's events forwarded as vLPIs (VgicV4). Built once, at the first vCPU init of the VM on this Sim (shard),
// with everything sized up front; afterwards the hot path only reads and writes typed arrays.
//
// Guest vectors (the engine's interrupt identities) map to INTIDs as follows:
//   device vector v → SPI 32 + v (GICv2: MSIs through a GICv2m frame) or LPI 8192 + v (GICv3/v4: MSIs through the
//                     ITS, EventID = v on DeviceID ITS_DEV_NIC);
//   guest timer     → PPI 27, the virtual timer, level-triggered and HW-mapped to the physical PPI 27 (as KVM does);
//   IPI vector      → SGI GUEST_IPI_SGI (Linux arm64 IPI_CALL_FUNC), as is the call-function vector of a
//                     broadcast (guest.tlbShootdown; a VM has one of the two, schema.ts);
//   resched vector  → SGI RESCHED_SGI (IPI_RESCHEDULE) (DESIGN §16).
// Sharding: the VgicState of a VM may exist on several shards, but each shard only ever writes the slots of the
// vCPUs it owns (private SGI/PPI banks; each device queue's SPI/LPI targets exactly one vCPU), so the copies
// never disagree on anything that is read.

import { ARM_AREA_WORDS, cpuifReset } from '../../arch/arm/cpuif-block.ts';
import type { ItsTables } from '../../arch/arm/its.ts';
import { KIND_CALL_FUNC, KIND_IPI, KIND_RESCHED, KIND_TIMER } from '../../model/vocabulary.ts';
import type { SchemeHost } from '../scheme.ts';
import { vgicMapPhysIrq, vgicSetEnabled } from '../vgic/vgic-dist.ts';
import { VgicState } from '../vgic/vgic-state.ts';
import type { VgicV4 } from '../vgic/vgic-v4.ts';
import { VTIMER_PPI, vtimerInit } from '../vgic/vtimer.ts';
import { type GicBackend, GUEST_PRIO, NR_VECTORS } from './gic-backend.ts';

export { ITS_DEV_NIC, NR_VECTORS } from './gic-backend.ts';
export const GUEST_IPI_SGI = 1;
export const RESCHED_SGI = 0;
const LPI_BASE = 8192;
const SPI_BASE = 32;

export interface GicVm {
  readonly backend: GicBackend;
  readonly s: VgicState;
  /** Guest-visible emulated ITS (GICv3/v4), null on GICv2. */
  readonly vits: ItsTables | null;
  /** GICv4 bridge with the host ITS, attached by the direct-injection component (gicv4-direct.ts); else null. */
  v4: VgicV4 | null;
  /** ARM area (virtual CPU interface) of each vCPU of the VM, views into the arena. */
  readonly blocks: Uint32Array[];
  readonly firstVcpu: number;
  readonly ipiVector: number;
  readonly timerVector: number;
  /** Vectors of the rescheduling IPI (SGI 0) and of the broadcast's call-function IPI (SGI 1); -1 if none. */
  readonly reschedVector: number;
  readonly callFuncVector: number;
}

/** The SGI a guest IPI vector is sent as: IPI_RESCHEDULE for the rescheduling vector, else IPI_CALL_FUNC. */
export const sgiOfVector = (vm: GicVm, vector: number): number =>
  vector === vm.reschedVector ? RESCHED_SGI : GUEST_IPI_SGI;

/** The guest vector of an acknowledged INTID (GICv2 IAR values carry the SGI source in bits [12:10]). */
export function vectorOfIntid(vm: GicVm, intid: number): number {
  if (intid === RESCHED_SGI) return vm.reschedVector;
  if (intid < 16) return vm.ipiVector >= 0 ? vm.ipiVector : vm.callFuncVector;
  if (intid === VTIMER_PPI) return vm.timerVector;
  if (intid >= LPI_BASE) return intid - LPI_BASE;
  return intid - SPI_BASE;
}

function findKind(kinds: Uint8Array, kind: number): number {
  for (let v = 0; v < NR_VECTORS; v++) if (kinds[v] === kind) return v;
  return -1;
}

/** Builds the GIC state of VM instance `vmIndex`. Does not touch any vCPU's ARM area (see resetCpuif). */
export function createGicVm(sim: SchemeHost, vmIndex: number, backend: GicBackend): GicVm {
  const inst = sim.topo.vms[vmIndex];
  const n = inst.vcpus;
  const first = inst.firstVcpu;
  const s = new VgicState({ nrVcpus: n, nrSpis: backend.nrSpis, nrLpis: backend.nrLpis, model: backend.vgicModel });
  s.group.fill(1); // Linux guests use Group 1 only (the VMCR reset enables Group 1)
  s.priority.fill(GUEST_PRIO);
  vtimerInit(s);
  for (let v = 0; v < n; v++) {
    vgicSetEnabled(s, v, VTIMER_PPI, true);
    vgicMapPhysIrq(s, v, VTIMER_PPI, VTIMER_PPI);
  }
  const blocks: Uint32Array[] = [];
  for (let v = 0; v < n; v++) blocks.push(sim.arena.u32View(first + v, sim.arena.layout.arm, ARM_AREA_WORDS));

  const vits = backend.createGuestIts(n);
  for (const q of sim.topo.queues) {
    const d = sim.topo.vcpus[q.vcpu];
    if (d.vmInstance !== vmIndex) continue;
    backend.routeDevice(s, vits, q.vector, backend.deviceIntid(q.vector), d.vmVcpu);
  }

  return {
    backend,
    s,
    vits,
    v4: null,
    blocks,
    firstVcpu: first,
    ipiVector: findKind(inst.kinds, KIND_IPI),
    timerVector: findKind(inst.kinds, KIND_TIMER),
    reschedVector: findKind(inst.kinds, KIND_RESCHED),
    callFuncVector: findKind(inst.kinds, KIND_CALL_FUNC),
  };
}

/** Resets one vCPU's virtual CPU interface (done by its owning shard only). */
export function resetCpuif(vm: GicVm, vmVcpu: number, nrLr: number): void {
  cpuifReset(vm.blocks[vmVcpu], vm.backend.lrFormat, { nrLr });
}
