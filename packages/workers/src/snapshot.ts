// Snapshot of one vCPU's architectural state, read from the shared arena by a thread that does not own it (the
// control plane). The owning shard keeps writing while we read, so a snapshot is a consistent view only of each
// 32-bit word, which is what a debugger attached to a running machine sees too.

import { type Arena, getRvi, getSvi, PID_CONTROL, PID_NV_SHIFT, PID_ON, PID_SN, vecList } from '@ivsim/core/internal';

/** One vCPU's architectural state, read while the run goes on (ParallelRun.snapshot); each 32-bit word consistent. */
export interface VcpuSnapshot {
  /** The vCPU (index in the topology). */
  vcpu: number;
  /** Its LAPIC: IRR, ISR, TMR as vector lists, TPR, PPR, RVI, SVI. */
  lapic: { IRR: number[]; ISR: number[]; TMR: number[]; TPR: number; PPR: number; RVI: number; SVI: number };
  /** Its posted-interrupt descriptor: PIR vectors, ON, SN, NV, NDST. */
  pid: { PIR: number[]; ON: boolean; SN: boolean; NV: number; NDST: number };
  /** Raw words of the ARM region (list registers as lo/hi pairs), for the GIC schemes. */
  armWords: number[];
}

/**
 * Reads vCPU `v` of `arena` at the offsets of its layout (the run's declared regions); a region the run's schemes do
 * not declare reads as zeros, as it did when every block held every region and nothing wrote it.
 */
export function readVcpuSnapshot(arena: Arena, v: number): VcpuSnapshot {
  const w = (off: number, len: number) =>
    off < 0 ? new Uint32Array(len) : Uint32Array.from(arena.u32View(v, off, len));
  const L = arena.layout;
  const regs = w(L.regs, 8);
  const pid = w(L.pid, 16);
  const ctl = pid[PID_CONTROL];
  const lapicView = { IRR: w(L.irr, 8), ISR: w(L.isr, 8), TMR: w(L.tmr, 8), regs };
  return {
    vcpu: v,
    lapic: {
      IRR: vecList(lapicView.IRR),
      ISR: vecList(lapicView.ISR),
      TMR: vecList(lapicView.TMR),
      TPR: regs[0],
      PPR: regs[1],
      RVI: getRvi(lapicView),
      SVI: getSvi(lapicView),
    },
    pid: {
      PIR: vecList(pid.subarray(0, 8)),
      ON: (ctl & PID_ON) !== 0,
      SN: (ctl & PID_SN) !== 0,
      NV: (ctl >>> PID_NV_SHIFT) & 0xff,
      NDST: pid[PID_CONTROL + 1],
    },
    armWords: Array.from(w(L.arm, 32)),
  };
}
