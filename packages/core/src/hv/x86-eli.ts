// x86-eli — ELI exitless interrupts (semantics §B.4). Direct mode: external-interrupt exiting off, IDTR = shadow
// IDT (present only for the vCPU's assigned vectors), EOI MSR passed through. Assigned interrupts reach the guest
// handler with no exit (E-01) and are EOI'd without one (E-02); any other physical vector hits a non-present gate
// and exits with #NP (E-03). Virtual interrupts force injection mode (E-05) until none is pending or in service.

import { vecClear, vecCount, vecForEach, vecHighest, vecIsEmpty, vecSet, vecTestAndSet } from '../arch/x86/bitmap.ts';
import { eoi, LAPIC_SVR, pendingDeliverable, SVR_APIC_ENABLED } from '../arch/x86/lapic.ts';
import type { SchemeId } from '../scenario/schema.ts';
import type { Sim } from '../sim/engine.ts';
import { RUN_BLOCKED, RUN_GUEST, RUN_ROOT, type Vcpu } from '../sim/vcpu.ts';
import { CAUSE_DEVICE, CAUSE_HOST_TICK, CAUSE_IPI, ExitReasonId } from './exit-reasons.ts';
import type { DeliveryScheme } from './scheme.ts';
import {
  causeOfVector,
  entryInterruptible,
  handlerIsRunningDevice,
  vlapicAccept,
  vlapicInjectAtEntry,
} from './x86/vlapic-inject.ts';

const R = ExitReasonId;

export class X86EliScheme implements DeliveryScheme {
  readonly id: SchemeId = 'x86-eli';
  readonly virtualized = true;

  init(_sim: Sim, vc: Vcpu): void {
    vc.lapic.regs[LAPIC_SVR] = SVR_APIC_ENABLED | 0xff;
    vc.eliInjectionMode = false;
  }

  /** The exit a host-side physical interrupt causes on vCPU u in guest mode: #NP in direct mode, else ext-int. */
  private hostVectorExit(sim: Sim, u: Vcpu, cause: number, handling: number, running = false): void {
    if (u.eliInjectionMode) sim.exit(u, R.EXTERNAL_INTERRUPT, cause, handling, running);
    else sim.exit(u, R.EXCEPTION_NP, cause, handling + sim.c.npExitHandling, running);
  }

  /** Physical delivery through the shadow IDT: IRR[p] → ISR[p], guest handler for g = p (E-01). */
  private deliverDirect(sim: Sim, vc: Vcpu): void {
    const v = vecHighest(vc.pIRR);
    vecClear(vc.pIRR, v);
    vecSet(vc.pISR, v);
    vc.handlerPhysical = true;
    if (sim.trace !== null) sim.trace(sim.now, vc.index, 'DIRECT', v);
    sim.deliverNow(vc, v, vc.ledger.postedAt[v], vc.ledger.postedRunning[v], sim.c.irqDelivery);
  }

  deviceInterrupt(sim: Sim, vc: Vcpu, vector: number, raisedAt: number): void {
    const onCpu = sim.pcpuCur[vc.pcpu] === vc.index;
    if (onCpu && vc.run === RUN_GUEST && !vc.eliInjectionMode) {
      // Direct mode: the MSI sets the physical IRR of vc's pCPU; the CPU vectors it when guest IF = 1.
      if (vecTestAndSet(vc.pIRR, vector)) sim.countCoalesced(vc, vector);
      else {
        vc.ledger.post(vector, raisedAt, 1);
      }
      if (sim.guestInterruptible(vc) && vecIsEmpty(vc.pISR)) this.deliverDirect(sim, vc);
      return;
    }
    // Not in direct mode on its pCPU: the host takes the vector (E-06) and makes it a virtual interrupt.
    const running = vc.run === RUN_GUEST;
    if (onCpu && running) sim.exit(vc, R.EXTERNAL_INTERRUPT, CAUSE_DEVICE, sim.c.hostIrqHandler, true);
    else if (onCpu && vc.run === RUN_ROOT) sim.rootWork(vc, sim.c.hostIrqHandler);
    else if (!onCpu && sim.pcpuCur[vc.pcpu] >= 0) {
      const u = sim.vcpus[sim.pcpuCur[vc.pcpu]];
      if (u.run === RUN_GUEST) this.hostVectorExit(sim, u, CAUSE_DEVICE, sim.c.hostIrqHandler);
      else if (u.run === RUN_ROOT) sim.rootWork(u, sim.c.hostIrqHandler);
    }
    vlapicAccept(sim, vc, vector, raisedAt, running ? 1 : 0);
    if (vc.run === RUN_BLOCKED) sim.wake(vc, sim.pcpuCur[vc.pcpu] < 0 ? sim.c.hostIrqHandler : 0);
  }

  softwareInterrupt(sim: Sim, vc: Vcpu, vector: number, raisedAt: number, cause: number): void {
    vlapicAccept(sim, vc, vector, raisedAt, 0);
    // The kick is a host reschedule IPI: #NP exit in direct mode, external-interrupt exit in injection mode.
    if (vc.run === RUN_GUEST) this.hostVectorExit(sim, vc, cause, sim.c.kickHandling);
    else if (vc.run === RUN_BLOCKED) sim.wake(vc);
  }

  hostTick(sim: Sim, _p: number, u: Vcpu | null): void {
    if (u === null) return;
    if (u.run === RUN_ROOT) return sim.rootWork(u, sim.c.hostTickHandler);
    if (u.run !== RUN_GUEST) return;
    // E-07: in direct mode guest IF = 0 blocks host maskable interrupts too; the tick waits for the IRET.
    if (!u.eliInjectionMode && !sim.guestInterruptible(u)) {
      u.tickDeferred++;
      return;
    }
    this.hostVectorExit(sim, u, CAUSE_HOST_TICK, sim.c.hostTickHandler);
  }

  guestEoi(sim: Sim, vc: Vcpu): void {
    if (!vc.eliInjectionMode && vc.handlerPhysical) {
      // E-02: WRMSR 0x80B passes the MSR bitmap → physical EOI, no exit.
      sim.stall(vc, sim.c.eoiLocal);
      const v = vecHighest(vc.pISR);
      if (v >= 0) vecClear(vc.pISR, v);
      sim.completeEoi(vc, vc.segStart);
      return;
    }
    // Injection mode: the EOI MSR is intercepted; KVM retires the virtual ISR bit, or performs the physical EOI
    // when the in-service interrupt is a physical (assigned) one (MODEL, §B.4).
    sim.exit(vc, R.MSR_WRITE, causeOfVector(vc, vc.handlerVector), sim.c.eoiMsrEmulation, handlerIsRunningDevice(vc));
    if (vc.handlerPhysical) {
      const v = vecHighest(vc.pISR);
      if (v >= 0) vecClear(vc.pISR, v);
    } else eoi(vc.lapic);
    sim.completeEoi(vc, vc.rootEnd);
  }

  guestIret(sim: Sim, vc: Vcpu): void {
    if (vc.tickDeferred > 0) {
      vc.tickDeferred = 0;
      this.hostVectorExit(sim, vc, CAUSE_HOST_TICK, sim.c.hostTickHandler);
      return;
    }
    if (vc.eliInjectionMode) {
      if (!vc.windowArmed) return;
      const v = pendingDeliverable(vc.lapic);
      sim.exit(vc, R.INTERRUPT_WINDOW, v < 0 ? CAUSE_DEVICE : causeOfVector(vc, v), sim.c.windowExitHandling);
      return;
    }
    if (!vecIsEmpty(vc.pIRR)) this.deliverDirect(sim, vc);
  }

  guestHalt(sim: Sim, vc: Vcpu): void {
    sim.haltExit(vc, sim.c.hltExitHandling);
  }

  guestSendIpi(sim: Sim, vc: Vcpu, target: Vcpu, vector: number, raisedAt: number): void {
    sim.exit(vc, R.MSR_WRITE, CAUSE_IPI, sim.c.icrEmulation);
    sim.sendIpi(vc, target, vector, raisedAt, 0, sim.exitHandledAt(vc));
  }

  beforeEntry(sim: Sim, vc: Vcpu): number {
    let cost = 0;
    const virtualBusy = pendingDeliverable(vc.lapic) >= 0 || !vecIsEmpty(vc.lapic.ISR);
    if (virtualBusy && !vc.eliInjectionMode) {
      vc.eliInjectionMode = true; // E-05: guest IDT, external-interrupt exiting, EOI MSR intercepted
      if (sim.trace !== null) sim.trace(sim.now, vc.index, 'MODE_INJECTION', 0);
      cost += sim.c.eliModeSwitch;
    }
    if (vc.eliInjectionMode) {
      cost += vlapicInjectAtEntry(sim, vc);
      if (vc.inject < 0 && !virtualBusy) {
        vc.eliInjectionMode = false; // nothing virtual pending or in service: back to direct mode
        if (sim.trace !== null) sim.trace(sim.now, vc.index, 'MODE_DIRECT', 0);
        cost += sim.c.eliModeSwitch;
      }
    }
    // Direct mode with a physical interrupt still in IRR: the CPU vectors it right after entry (IF = 1).
    if (
      !vc.eliInjectionMode &&
      vc.inject < 0 &&
      entryInterruptible(vc) &&
      !vecIsEmpty(vc.pIRR) &&
      vecIsEmpty(vc.pISR)
    ) {
      const v = vecHighest(vc.pIRR);
      vecClear(vc.pIRR, v);
      vecSet(vc.pISR, v);
      vc.handlerPhysical = true;
      vc.inject = v;
      vc.injectRaised = vc.ledger.postedAt[v];
      vc.injectFlag = vc.ledger.postedRunning[v];
      cost += sim.c.irqDelivery;
    }
    return cost;
  }

  hasWakeEvent(_sim: Sim, vc: Vcpu): boolean {
    return pendingDeliverable(vc.lapic) >= 0 || !vecIsEmpty(vc.pIRR);
  }

  schedIn(): number {
    return 0;
  }

  schedOut(): number {
    return 0;
  }

  pendingCount(_sim: Sim, vc: Vcpu): number {
    return vecCount(vc.lapic.IRR) + vecCount(vc.pIRR);
  }

  forEachPending(_sim: Sim, vc: Vcpu, visit: (raisedAt: number) => void): void {
    const l = vc.ledger;
    vecForEach(vc.pIRR, (v) => visit(l.postedAt[v]));
    vecForEach(vc.lapic.IRR, (v) => visit(l.acceptedAt[v]));
  }
}
