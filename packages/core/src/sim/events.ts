// Engine event types (DESIGN §7): what each event of the queue means, and their names for messages.

export const EV_ARRIVAL = 1; // device queue: next packet/completion arrival
export const EV_DEV_IRQ = 2; // device queue: moderated (deferred) interrupt
export const EV_MSI = 3; // vCPU: a device MSI reaches the interrupt controller / IOMMU
export const EV_TICK = 4; // pCPU: host timer tick
export const EV_VCPU = 5; // vCPU: end of its current timed activity (a0 = generation)
export const EV_IDLE_BEGIN = 6; // vCPU: the guest runs out of work and idles (HLT)
export const EV_GUEST_TIMER = 7; // vCPU: the guest's timer ends the idle period
export const EV_IPI_SEND = 8; // vCPU: the guest wants to send an IPI
export const EV_IPI_ARRIVE = 9; // vCPU: an IPI from another vCPU arrives (may cross shards)
export const EV_SLICE = 10; // pCPU: scheduler time slice
export const EV_ARRIVAL_MSI = 12; // device queue without moderation: an arrival whose MSI reaches its target now
export const EV_SCHEME = 11; // vCPU: a scheme-owned timed event (Sim.schemeAt; e.g. GIC maintenance-interrupt assertion)
export const EV_IPI_FLUSH = 13; // vCPU: the guest is back in work and issues its oldest deferred IPI
export const EV_IRQS_OFF = 14; // vCPU: the guest starts an interrupts-off section (CLI … STI)
export const EV_IRQS_ON = 15; // vCPU: STI ends the section (a0 = section generation)
export const EV_STI_SHADOW_END = 16; // vCPU: the instruction after STI retired: interrupts can be taken again
export const EV_HALT_POLL_END = 17; // vCPU: KVM's halt-poll window ends without a wake event (a0 = generation)
export const EV_GUEST_POLL_END = 18; // vCPU: the guest's haltpoll window ends (a0 = poll generation)

/** Why a running vCPU must give way (Sim.preemptCurrent). */
export const RESCHED_TICK = 1;
export const RESCHED_WAKEUP = 2;
export const EV_RESCHED_SEND = 19; // vCPU: the guest wants to send a rescheduling IPI (DESIGN §16)
export const EV_SHOOTDOWN_SEND = 20; // vCPU: the guest starts a TLB-shootdown broadcast with wait (DESIGN §16)
export const EV_CSD_ACK = 21; // vCPU: a target's csd_unlock reaches the waiting sender (may cross shards)
/** The event types that can cross shards (the parallel runner packs them into ring records). */
export const CROSS_SHARD_EVENTS: readonly number[] = [EV_IPI_ARRIVE, EV_CSD_ACK];

/** Event type names, for messages. */
export const EVENT_NAMES: Record<number, string> = {
  [EV_ARRIVAL]: 'EV_ARRIVAL',
  [EV_DEV_IRQ]: 'EV_DEV_IRQ',
  [EV_MSI]: 'EV_MSI',
  [EV_TICK]: 'EV_TICK (host timer tick)',
  [EV_VCPU]: 'EV_VCPU',
  [EV_IDLE_BEGIN]: 'EV_IDLE_BEGIN',
  [EV_GUEST_TIMER]: 'EV_GUEST_TIMER',
  [EV_IPI_SEND]: 'EV_IPI_SEND',
  [EV_IPI_ARRIVE]: 'EV_IPI_ARRIVE',
  [EV_SLICE]: 'EV_SLICE (host.schedSlice)',
  [EV_SCHEME]: 'EV_SCHEME',
  [EV_ARRIVAL_MSI]: 'EV_ARRIVAL_MSI',
  [EV_IPI_FLUSH]: 'EV_IPI_FLUSH',
  [EV_IRQS_OFF]: 'EV_IRQS_OFF',
  [EV_IRQS_ON]: 'EV_IRQS_ON',
  [EV_STI_SHADOW_END]: 'EV_STI_SHADOW_END',
  [EV_HALT_POLL_END]: 'EV_HALT_POLL_END',
  [EV_GUEST_POLL_END]: 'EV_GUEST_POLL_END',
  [EV_RESCHED_SEND]: 'EV_RESCHED_SEND',
  [EV_SHOOTDOWN_SEND]: 'EV_SHOOTDOWN_SEND',
  [EV_CSD_ACK]: 'EV_CSD_ACK',
};
