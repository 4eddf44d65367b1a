// The GIC virtualization path shared by arm-gicv2, arm-gicv3 and arm-gicv4 (semantics §B.5–§B.7), written against
// the KVM vgic core (hv/vgic) and the virtual CPU interface (arch/arm), so the LRs, HCR and maintenance lines in
// each vCPU's ARM area are the real state:
//   - a physical interrupt in guest mode is taken at EL2 (EXIT:ARM_IRQ); the host handler injects into the vgic;
//   - before every entry KVM syncs the LRs of the previous run (kvm_vgic_sync_hwstate) and flushes the ap_list into
//     them (vgic_flush_lr_state), paying the generation's per-LR and fixed save/restore costs;
//   - the guest acknowledges (IAR) and EOIs through GICV / ICV with no exit; a maintenance interrupt, raised by the
//     real underflow / no-pending / EOIcount logic when the LRs overflowed, forces EXIT:MAINTENANCE after
//     maintenanceLatency;
//   - SGIs trap on the sender (GICD_SGIR MMIO on GICv2, ICC_SGI1R on GICv3) and reach the target as a kick;
//   - WFI traps (EXIT:ARM_WFI) while HCR_EL2.TWI is set (always, except GICv4 when KVM clears it: gicv4-direct.ts);
//     the vCPU blocks unless kvm_vgic_vcpu_pending_irq says otherwise.
// The sync is done lazily at the next entry (or when the WFI decision needs it): the LRs do not change while the
// vCPU is out of guest mode, so folding them then gives KVM's result. A vCPU's state is only touched by events of
// that vCPU; other vCPUs are reached through Sim.sendIpi.
// What differs between generations is the backend's (gic-backend.ts; no generation test here); GICv4 direct
// injection is the optional component `direct` (gicv4-direct.ts), consulted where it changes the path.

import { ARM_MISR } from '../../arch/arm/cpuif-block.ts';
import { cpuifMaintenance, cpuifVirqPending, icvEoir, icvIar } from '../../arch/arm/vcpu-if.ts';
import { PH_HALT, PH_WORK, RUN_BLOCKED, RUN_DESCHED, RUN_GUEST, RUN_ROOT } from '../../model/vocabulary.ts';
import { gicConfig } from '../../scenario/defaults.ts';
import type { SchemeId } from '../../scenario/schema.ts';
import { CAUSE_DEVICE, CAUSE_GUEST_TIMER, CAUSE_IPI, ExitReasonId } from '../exit-reasons.ts';
import type { DeliveryScheme, SchemeHost, SchemeVcpu } from '../scheme.ts';
import { kvmVgicInjectIrq, kvmVgicVcpuPendingIrq } from '../vgic/vgic.ts';
import { vgicSetPhysLine } from '../vgic/vgic-dist.ts';
import { kvmVgicSyncHwstate, vgicFlushLrState } from '../vgic/vgic-flush.ts';
import { EV_KICK, OWNER_TIMER } from '../vgic/vgic-state.ts';
import { VTIMER_PPI } from '../vgic/vtimer.ts';
import type { GicBackend } from './gic-backend.ts';
import { gicForEachPending, gicIsPending, gicPendingCount } from './gic-pending.ts';
import { createGicVm, type GicVm, resetCpuif, sgiOfVector, vectorOfIntid } from './gic-vm.ts';
import type { GicDirectHost, Gicv4Direct } from './gicv4-direct.ts';

const R = ExitReasonId;
const INTID_SPURIOUS = 1023;

/** The guest can take an interrupt at this entry: PSTATE.I clear (it was working or in WFI). */
const entryInterruptible = (vc: SchemeVcpu): boolean =>
  (vc.phase === PH_WORK && !vc.irqsOff && !vc.stiShadow) || vc.phase === PH_HALT;

export abstract class GicScheme implements DeliveryScheme, GicDirectHost {
  abstract readonly id: SchemeId;
  readonly virtualized = true;
  readonly hostIrqExitReason = R.ARM_IRQ;
  readonly haltExitReason = R.ARM_WFI;
  /** GICv4 direct injection, built by the scheme that has it (arm-gicv4); null on the LR-only path. */
  protected readonly direct: Gicv4Direct | null;
  /** Per-VM GIC state (built at the VM's first vCPU init here) and, per global vCPU index, its VM and ARM area. */
  protected readonly vmOfVcpu: GicVm[];
  protected readonly gOf: Uint32Array[];
  private readonly vmByIndex: (GicVm | undefined)[];
  /** 1 while the LRs hold a flushed state that has not been synced back yet. */
  protected readonly live: Uint8Array;
  /** Maintenance-interrupt bookkeeping: generation of the current guest run, and "an event is on its way". */
  private readonly maintGen: Int32Array;
  private readonly maintArmed: Uint8Array;
  /** Raw IAR value of the handler the guest is running (what it writes back to EOIR). */
  protected readonly acked: Int32Array;
  /** Costs of this generation, resolved once: guest ACK/EOI, per-LR access, fixed save/restore, SGI trap. */
  protected readonly ackCost: number;
  protected readonly eoiCost: number;
  protected readonly lrCost: number;
  protected readonly stateCost: number;
  protected readonly sgiCost: number;
  protected readonly sgiReason: number;
  protected readonly nrLr: number;

  /**
   * A generation's scheme passes its backend and, for GICv4, the factory of the direct-injection component (given
   * this scheme as the GicDirectHost it calls back later — it only stores it here — and the host): everything is
   * sized from the host here, with no override called.
   */
  constructor(
    host: SchemeHost,
    protected readonly backend: GicBackend,
    direct: ((core: GicDirectHost, host: SchemeHost) => Gicv4Direct) | null,
  ) {
    this.direct = direct === null ? null : direct(this, host);
    const V = host.V;
    const c = host.c;
    this.nrLr = gicConfig(host.scenario).listRegs;
    this.live = new Uint8Array(V);
    this.maintGen = new Int32Array(V);
    this.maintArmed = new Uint8Array(V);
    this.acked = new Int32Array(V).fill(INTID_SPURIOUS);
    this.vmOfVcpu = new Array(V);
    this.gOf = new Array(V);
    this.vmByIndex = new Array(host.topo.vms.length);
    const k = backend.costKeys;
    this.ackCost = c[k.ack];
    this.eoiCost = c[k.eoi];
    this.lrCost = c[k.lr];
    this.stateCost = c[k.state];
    this.sgiCost = c[k.sgiTrap];
    this.sgiReason = backend.sgiTrapReason;
  }

  init(sim: SchemeHost, vc: SchemeVcpu): void {
    let vm = this.vmByIndex[vc.vm];
    if (vm === undefined) {
      vm = createGicVm(sim, vc.vm, this.backend);
      this.direct?.attachVm(sim, vm, vc.vm);
      this.vmByIndex[vc.vm] = vm;
    }
    this.vmOfVcpu[vc.index] = vm;
    this.direct?.initVcpu(vc, vm);
    this.gOf[vc.index] = vm.blocks[vc.vmVcpu];
    resetCpuif(vm, vc.vmVcpu, this.nrLr);
    // The engine starts vCPUs already in guest mode: do the flush of that first entry (HCR.En, VMCR) now, or a
    // vCPU that never exits would never see a directly injected vLPI.
    vgicFlushLrState(vm.s, vc.vmVcpu, this.gOf[vc.index]);
    this.live[vc.index] = 1;
  }

  // ---- kicks and host-side interrupt handling ------------------------------------------------------------

  /** kvm_vcpu_kick of vc: a reschedule IPI makes it exit if in guest mode; a blocked one is woken. */
  protected kick(sim: SchemeHost, vc: SchemeVcpu, cause: number, wakeExtra: number): void {
    if (vc.run === RUN_GUEST) sim.exit(vc, R.ARM_IRQ, cause, sim.c.kickHandling);
    else if (vc.run === RUN_BLOCKED) sim.wake(vc, wakeExtra);
  }

  /** Acts on the EV_KICK events the last vgic call logged (they can only name vc: its own interrupts). */
  protected applyKicks(sim: SchemeHost, vc: SchemeVcpu, cause: number, wakeExtra: number): void {
    const s = this.vmOfVcpu[vc.index].s;
    for (let k = 0; k < s.evLen; k += 2) {
      if (s.ev[k] !== EV_KICK) continue;
      if (s.ev[k + 1] !== vc.vmVcpu)
        throw new Error(`internal: vgic kicked vCPU ${s.ev[k + 1]} from vCPU ${vc.vmVcpu}`);
      this.kick(sim, vc, cause, wakeExtra);
    }
  }

  /**
   * A physical interrupt for vc's pCPU (IRQ affinity follows the vCPU): taken at EL2 with an exit when vc is in
   * guest mode, handled before re-entry in root mode, or by whatever runs on the pCPU otherwise. Returns the
   * host work to add to a wake-up from an idle pCPU.
   */
  protected physicalIrq(
    sim: SchemeHost,
    vc: SchemeVcpu,
    handling: number,
    cause: number,
    runningDevice: boolean,
  ): number {
    const onCpu = sim.pcpuCur[vc.pcpu] === vc.index;
    if (onCpu && vc.run === RUN_GUEST) sim.exit(vc, R.ARM_IRQ, cause, handling, runningDevice);
    else if (onCpu && vc.run === RUN_ROOT) sim.rootWork(vc, handling);
    else if (!onCpu) sim.hostInterruptOnPcpu(vc.pcpu, handling, cause, false, R.ARM_IRQ);
    return sim.pcpuCur[vc.pcpu] < 0 ? handling : 0;
  }

  /** Records a raised interrupt: a merge into one still pending is coalesced, else its raise time is kept. */
  protected noteRaise(
    sim: SchemeHost,
    vc: SchemeVcpu,
    vector: number,
    intid: number,
    from: number,
    raisedAt: number,
    flag: number,
  ) {
    if (gicIsPending(this.vmOfVcpu[vc.index], vc.vmVcpu, intid, from)) {
      sim.countCoalesced(vc, vector);
      return;
    }
    // GICv2 SGIs from several sources share the vector: keep the oldest raise time while any is pending.
    if (intid < 16 && this.pendingSgiAny(this.vmOfVcpu[vc.index], vc.vmVcpu, intid)) return;
    vc.ledger.accept(vector, raisedAt, flag);
  }

  // ---- DeliveryScheme: interrupt sources --------------------------------------------------------------------

  deviceInterrupt(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    const running = vc.run === RUN_GUEST;
    const intid = this.backend.deviceIntid(vector);
    if (this.direct !== null) {
      // GICv4: the host ITS injects the vLPI; no exit, no host handler (a doorbell if the vPE is not resident).
      this.noteRaise(sim, vc, vector, intid, 0, raisedAt, running ? 1 : 0);
      this.direct.deviceMsi(sim, vc, vector, intid);
      return;
    }
    const extra = this.physicalIrq(sim, vc, sim.c.hostIrqHandler, CAUSE_DEVICE, running);
    const vm = this.vmOfVcpu[vc.index];
    this.noteRaise(sim, vc, vector, intid, 0, raisedAt, running ? 1 : 0);
    // VFIO → irqfd → kvm_vgic_inject_irq (SPI) or vgic_its_inject_msi (LPI through the emulated ITS).
    this.backend.injectDevice(vm.s, vm.vits, vc.vmVcpu, vector, intid);
    this.applyKicks(sim, vc, CAUSE_DEVICE, extra);
  }

  softwareInterrupt(
    sim: SchemeHost,
    vc: SchemeVcpu,
    vector: number,
    raisedAt: number,
    cause: number,
    srcTag = 0,
  ): void {
    if (cause === CAUSE_IPI) this.sgiArrival(sim, vc, vector, raisedAt, srcTag > 0 ? srcTag - 1 : vc.vmVcpu);
    else if (cause === CAUSE_GUEST_TIMER) this.vtimerFires(sim, vc, vector, raisedAt);
    else throw new Error(`internal: software interrupt with cause ${cause}`);
  }

  /** The kick IPI of a trapped SGI write reaches the target (its pCPU): queue the SGI from `from`, kick. */
  protected sgiArrival(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number, from: number): void {
    const vm = this.vmOfVcpu[vc.index];
    const sgi = sgiOfVector(vm, vector);
    this.noteRaise(sim, vc, vector, sgi, from, raisedAt, 0);
    if (this.direct?.vsgis(vc)) {
      this.direct.vsgi(sim, vc, sgi); // GICv4.1: a direct vSGI through GITS_SGIR, no LR
      return;
    }
    this.backend.sendSgi(vm.s, from, sgi, vc.vmVcpu);
    this.applyKicks(sim, vc, CAUSE_IPI, 0);
  }

  /**
   * The guest's virtual timer expires: the physical PPI 27 (HW-mapped) is taken at EL2 if the vCPU runs, or
   * KVM's background timer fires on its pCPU if it is blocked; kvm_timer_update_irq raises the level.
   */
  private vtimerFires(sim: SchemeHost, vc: SchemeVcpu, vector: number, raisedAt: number): void {
    const vm = this.vmOfVcpu[vc.index];
    // A descheduled vCPU has no timer armed on the host: kvm_timer_vcpu_load picks the level up at schedule-in.
    const extra =
      vc.run === RUN_DESCHED ? 0 : this.physicalIrq(sim, vc, sim.c.vtimerHandling, CAUSE_GUEST_TIMER, false);
    this.noteRaise(sim, vc, vector, VTIMER_PPI, 0, raisedAt, 0);
    vgicSetPhysLine(vm.s, vc.vmVcpu, VTIMER_PPI, true);
    kvmVgicInjectIrq(vm.s, vc.vmVcpu, VTIMER_PPI, true, OWNER_TIMER);
    this.applyKicks(sim, vc, CAUSE_GUEST_TIMER, extra);
  }

  guestSendIpi(sim: SchemeHost, vc: SchemeVcpu, target: SchemeVcpu, vector: number, raisedAt: number): void {
    // GICD_SGIR (MMIO data abort) or ICC_SGI1R_EL1 (system-register trap): the write exits on the sender.
    sim.exit(vc, this.sgiReason, CAUSE_IPI, this.sgiCost);
    sim.sendIpi(vc, target, vector, raisedAt, vc.vmVcpu + 1, sim.exitHandledAt(vc));
  }

  /**
   * A broadcast (DESIGN §16). GICv2 gic_ipi_send_mask: one GICD_SGIR write with the CPU target list (≤ 8 CPUs);
   * GICv3/v4 gic_ipi_send_mask: one ICC_SGI1R_EL1 write per affinity cluster (Aff1; up to 16 Aff0 targets in
   * its TargetList; KVM's vCPU MPIDR puts 16 vCPUs in a cluster). Each write traps; vgic_mmio_write_sgir /
   * vgic_v3_dispatch_sgi then queue and kick every listed target — each target beyond the first costs one more
   * host kick (ipiSendLocal; under GICv4.1 the GITS_SGIR write of its vSGI instead).
   */
  guestSendIpiMany(
    sim: SchemeHost,
    vc: SchemeVcpu,
    targets: Int32Array,
    n: number,
    vector: number,
    raisedAt: number,
  ): void {
    const first = this.vmOfVcpu[vc.index].firstVcpu;
    for (let k = 0; k < n; ) {
      const e = this.backend.sgiWriteEnd(targets, k, n, first);
      sim.exit(vc, this.sgiReason, CAUSE_IPI, this.sgiCost + (e - k - 1) * sim.c.ipiSendLocal);
      const at = sim.exitHandledAt(vc);
      for (let j = k; j < e; j++) sim.sendIpi(vc, sim.vcpus[targets[j]], vector, raisedAt, vc.vmVcpu + 1, at);
      k = e;
    }
  }

  // ---- DeliveryScheme: the guest side (no exits) ------------------------------------------------------------

  /** Bookkeeping when the guest acknowledged `raw` (IAR): the vector it handles. */
  protected acknowledged(vc: SchemeVcpu, raw: number): number {
    const vm = this.vmOfVcpu[vc.index];
    const intid = this.backend.iarIntid(raw);
    // The timer handler reprograms CNTV_CVAL first, which drops the physical line.
    if (intid === VTIMER_PPI) vgicSetPhysLine(vm.s, vc.vmVcpu, VTIMER_PPI, false);
    this.acked[vc.index] = raw;
    const v = vectorOfIntid(vm, intid);
    this.direct?.acked(vc, raw);
    return v;
  }

  cpuif(vc: SchemeVcpu): Uint32Array {
    return this.gOf[vc.index];
  }

  /** The guest takes the signalled vIRQ now if it can (PSTATE.I clear): IAR read, handler entry. */
  tryDeliver(sim: SchemeHost, vc: SchemeVcpu): void {
    const g = this.gOf[vc.index];
    if (!sim.guestInterruptible(vc) || !cpuifVirqPending(g)) return;
    const raw = icvIar(g, 1);
    if (raw === INTID_SPURIOUS) return;
    const v = this.acknowledged(vc, raw);
    sim.deliverNow(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v), sim.c.irqDelivery + this.ackCost);
    this.checkMaintenance(sim, vc, Math.max(sim.now, vc.segStart));
  }

  guestEoi(sim: SchemeHost, vc: SchemeVcpu): void {
    // GICV_EOIR / ICV_EOIR1_EL1: priority drop + deactivation (EOImode 0) in the LR, no trap. A HW LR (the
    // timer) deactivates the physical PPI in the same write.
    const g = this.gOf[vc.index];
    sim.stall(vc, this.eoiCost);
    icvEoir(g, 1, this.acked[vc.index]);
    this.acked[vc.index] = INTID_SPURIOUS;
    sim.completeEoi(vc, vc.segStart);
    this.checkMaintenance(sim, vc, vc.segStart);
  }

  guestIret(sim: SchemeHost, vc: SchemeVcpu): void {
    this.tryDeliver(sim, vc);
  }

  guestHalt(sim: SchemeHost, vc: SchemeVcpu): void {
    // WFI completes at once when an interrupt is signalled; otherwise it traps if HCR_EL2.TWI is set.
    if (cpuifVirqPending(this.gOf[vc.index])) {
      sim.haltNotTaken(vc);
      this.tryDeliver(sim, vc);
      return;
    }
    // TWI clear: the WFI executes natively and the vCPU stays in guest mode in PH_HALT until an interrupt is
    // signalled to it (the scheme wakes it) or something makes it exit.
    // KVM traps WFI unless GICv4 cleared HCR_EL2.TWI at this load; a GICv4 WFI exit also puts the vPE.
    const direct = this.direct;
    if (direct !== null && !direct.wfiTraps(vc)) return;
    sim.haltExit(vc, sim.c.hltExitHandling + (direct === null ? 0 : direct.wfiExtra(sim))); // EXIT:ARM_WFI
  }

  // ---- maintenance interrupt ------------------------------------------------------------------------------

  /** If the virtual interface asserts its maintenance line, the PE takes it maintenanceLatency after `at`. */
  protected checkMaintenance(sim: SchemeHost, vc: SchemeVcpu, at: number): void {
    const i = vc.index;
    if (this.maintArmed[i] !== 0 || !cpuifMaintenance(this.gOf[i])) return;
    this.maintArmed[i] = 1;
    sim.schemeAt(vc, Math.max(at, sim.now) + sim.c.maintenanceLatency, this.maintGen[i]);
  }

  onSchemeEvent(sim: SchemeHost, vc: SchemeVcpu, gen: number): void {
    const i = vc.index;
    if (gen !== this.maintGen[i]) return; // that guest run ended (exit + sync) before the IRQ was taken
    this.maintArmed[i] = 0;
    if (vc.run !== RUN_GUEST || !cpuifMaintenance(this.gOf[i])) return;
    if (sim.trace !== null) sim.trace(sim.now, i, 'MAINT', this.gOf[i][ARM_MISR]);
    // KVM's maintenance handler does nothing: the exit itself makes the next flush refill the LRs.
    sim.exit(vc, R.MAINTENANCE, CAUSE_DEVICE, sim.c.maintenanceHandling);
  }

  // ---- entry / exit ---------------------------------------------------------------------------------------

  /** kvm_vgic_sync_hwstate if the LRs are live. Returns the cycles of reading the used LRs back. */
  protected sync(vc: SchemeVcpu): number {
    const i = vc.index;
    if (this.live[i] === 0) return 0;
    this.live[i] = 0;
    this.maintGen[i]++;
    this.maintArmed[i] = 0;
    const vm = this.vmOfVcpu[i];
    return kvmVgicSyncHwstate(vm.s, vc.vmVcpu, this.gOf[i]) * this.lrCost;
  }

  beforeEntry(sim: SchemeHost, vc: SchemeVcpu): number {
    const i = vc.index;
    const vm = this.vmOfVcpu[i];
    const g = this.gOf[i];
    let cost = this.sync(vc) + (this.direct === null ? 0 : this.direct.makeResident(sim, vc));
    const written = vgicFlushLrState(vm.s, vc.vmVcpu, g);
    this.live[i] = 1;
    this.maintGen[i]++;
    this.maintArmed[i] = 0;
    cost += this.stateCost + written * this.lrCost;
    // The vIRQ is signalled as soon as the guest runs: with PSTATE.I clear it is taken right after the entry.
    if (entryInterruptible(vc) && cpuifVirqPending(g)) {
      const raw = icvIar(g, 1);
      if (raw !== INTID_SPURIOUS) {
        const v = this.acknowledged(vc, raw);
        sim.injectAtEntry(vc, v, vc.ledger.acceptedAt(v), vc.ledger.acceptedRunning(v));
        cost += sim.c.irqDelivery + this.ackCost;
      }
    }
    this.checkMaintenance(sim, vc, sim.now + cost);
    return cost;
  }

  hasWakeEvent(sim: SchemeHost, vc: SchemeVcpu): boolean {
    // kvm_vcpu_wfi: sync, (GICv4: vgic_v4_put with a doorbell), then kvm_arch_vcpu_runnable.
    const i = vc.index;
    this.sync(vc);
    this.direct?.beforeBlock(sim, vc);
    return kvmVgicVcpuPendingIrq(this.vmOfVcpu[i].s, vc.vmVcpu, this.gOf[i]);
  }

  schedIn(sim: SchemeHost, vc: SchemeVcpu): number {
    return this.direct === null ? 0 : this.direct.schedIn(sim, vc);
  }

  schedOut(_sim: SchemeHost, vc: SchemeVcpu, blocking: boolean): number {
    return this.direct === null ? 0 : this.direct.schedOut(vc, blocking);
  }

  atEnd(sim: SchemeHost, vc: SchemeVcpu): void {
    this.direct?.atEnd(sim, vc);
  }

  /** Any source of a GICv2 SGI (or the SGI on GICv3) still pending for vmVcpu. */
  private pendingSgiAny(vm: GicVm, vmVcpu: number, intid: number): boolean {
    const n = this.backend.sgiSources;
    for (let from = 0; from < n; from++) if (gicIsPending(vm, vmVcpu, intid, from)) return true;
    return false;
  }

  pendingCount(_sim: SchemeHost, vc: SchemeVcpu): number {
    return gicPendingCount(this.vmOfVcpu[vc.index], vc.vmVcpu);
  }

  forEachPending(_sim: SchemeHost, vc: SchemeVcpu, visit: (raisedAt: number) => void): void {
    // The ledger keeps one raise time per vector (GICv2 SGIs of several sources share the oldest, DESIGN §12).
    const vm = this.vmOfVcpu[vc.index];
    const l = vc.ledger;
    gicForEachPending(vm, vc.vmVcpu, (intid, n) => {
      const t = l.acceptedAt(vectorOfIntid(vm, intid));
      for (let k = 0; k < n; k++) visit(t);
    });
  }
}
