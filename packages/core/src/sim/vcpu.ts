// Per-vCPU simulation context. Created once at setup; architectural state is made of views into the arena, the
// rest are plain numeric fields (monomorphic, no allocation while running).

import type { ApicvRegs } from '../arch/x86/apicv.ts';
import type { LapicRegs } from '../arch/x86/lapic.ts';
import type { Arena } from '../mem/vcpu-block.ts';
import { PH_WORK, RUN_GUEST } from '../model/vocabulary.ts';
import type { Sampler } from './distributions.ts';
import { DeferredIpis, PendingLedger } from './ledger.ts';

// Run states, guest phases and interrupt kinds: the shared vocabulary (model/vocabulary.ts, DESIGN §19.1).
export {
  KIND_CALL_FUNC,
  KIND_DEVICE,
  KIND_IPI,
  KIND_NONE,
  KIND_RESCHED,
  KIND_TIMER,
  NUM_KINDS,
  PH_HALT,
  PH_HANDLER,
  PH_POST_EOI,
  PH_WORK,
  RUN_BLOCKED,
  RUN_DESCHED,
  RUN_GUEST,
  RUN_ROOT,
} from '../model/vocabulary.ts';

export class Vcpu {
  readonly lapic: ApicvRegs;
  readonly pid: Uint32Array;
  readonly pIRR: Uint32Array;
  readonly pISR: Uint32Array;
  readonly scratch: Uint32Array;
  /** Raise times, arrived-while-running flags and handler work of the interrupts pending for this vCPU. */
  readonly ledger: PendingLedger;
  /** IPIs the guest wanted to send while it could not execute, sent in order once it can. */
  readonly ipiq = new DeferredIpis();
  ipiFlushArmed = false;
  /**
   * csd_lock_wait: the guest sent a broadcast with wait = true and spins (guest mode, IF = 1) until every target
   * has acknowledged; its work-phase cycles meanwhile are spin (cycSpin), not useful work (DESIGN §16).
   */
  csdWait = false;

  run = RUN_GUEST;
  phase = PH_WORK;
  idle = false;
  segStart = 0;
  handlerLeft = 0;
  handlerVector = -1;
  handlerRaised = 0;
  handlerFlag = 0;
  actGen = 0;
  rootReason = 0;
  rootEnd = 0;
  /** End of the hypervisor's handling of the current exit (before the VM-entry half). */
  exitHandled = 0;
  /** Set by a scheme's beforeEntry: vector to inject at this entry (-1 none), with its raise time and flag. */
  inject = -1;
  injectRaised = 0;
  injectFlag = 0;
  /** HLT exit in progress: block at the end of the root activity unless a wake event exists. */
  haltExit = false;
  /** Preemption requested (time slice): switch at the end of the root activity. */
  needResched = false;
  /** The current handler has written its EOI (at its start or after its body). */
  eoiDone = false;
  /** The guest programmed its timer for the current idle period. */
  idleTimerArmed = false;
  /** Guest work inside an interrupts-off section (IF = 0), and blocking by STI right after it. */
  irqsOff = false;
  stiShadow = false;
  irqsGen = 0;
  /** The guest's idle loop is in haltpoll's poll state (phase PH_WORK, but its cycles are not guest work). */
  guestPoll = false;

  /** NAPI softirq: the queue being polled (-1 none), cycles left of its current packet, packets this poll. */
  softirqQ = -1;
  softirqLeft = 0;
  pollDone = 0;
  /** Closed-loop application: cycles left of the head request's process-context work (-1: not started). */
  appLeft = -1;

  // accounting (cycles)
  cycWork = 0;
  cycSoftirq = 0;
  cycApp = 0;
  cycHandler = 0;
  cycSpin = 0;
  cycHw = 0;
  cycGuestPoll = 0;
  idleBegin = 0;

  constructor(
    readonly index: number,
    readonly entity: number,
    readonly vm: number,
    readonly vmVcpu: number,
    public pcpu: number,
    readonly kinds: Uint8Array,
    readonly handlerCost: Sampler[],
    /** Per vector: 1 = one sampled handler per delivered interrupt; 0 = the handler runs the queued work. */
    readonly perInterrupt: Uint8Array,
    readonly streamIdle: number,
    readonly streamHandler: number,
    readonly streamIpi: number,
    arena: Arena,
    /** Vector → pending-ledger slot of the vCPU's VM (ledgerSlots). */
    ledgerIx: Int16Array,
  ) {
    // A region the run's schemes do not declare has no words (mem/vcpu-block.ts): its views are empty.
    const u = (off: number, len: number) => arena.u32View(index, off, len);
    const L = arena.layout;
    this.lapic = {
      IRR: u(L.irr, 8),
      ISR: u(L.isr, 8),
      TMR: u(L.tmr, 8),
      regs: u(L.regs, 8),
      EOI_EXIT: u(L.eoiExit, 8),
    };
    this.pid = u(L.pid, 16);
    this.pIRR = u(L.pirr, 8);
    this.pISR = u(L.pisr, 8);
    this.scratch = u(L.scratch, 8);
    this.ledger = new PendingLedger(arena, index, ledgerIx);
  }
}

export type { LapicRegs };
