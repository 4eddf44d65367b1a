// Defaults of a validated scenario that the engine resolves at setup (EOI position, halt-polling, GIC). Types only
// from schema.ts, so the engine and the shard workers can use them without loading zod (DESIGN §19.10).

import type { GuestSpec, Scenario } from './schema.ts';

/** The guest's EOI position with its per-arch default (x86: at handler start; ARM: at the end). */
export function eoiAtStart(s: Scenario, g: GuestSpec): boolean {
  return (g.eoi ?? (s.arch === 'x86' ? 'start' : 'end')) === 'start';
}

/** KVM_HALT_POLL_NS_DEFAULT by arch (arch/x86 and arch/arm64 include/asm/kvm_host.h). */
export const KVM_HALT_POLL_NS_DEFAULT = { x86: 200_000, arm: 500_000 } as const;

/** The host's halt-polling parameters in ns (null when disabled), with the per-arch default of halt_poll_ns. */
export function haltPollConfig(s: Scenario): { maxNs: number; grow: number; growStart: number; shrink: number } | null {
  const h = s.host.haltPoll;
  if (h === false) return null;
  return { maxNs: h.maxNs ?? KVM_HALT_POLL_NS_DEFAULT[s.arch], grow: h.grow, growStart: h.growStart, shrink: h.shrink };
}

/** A guest's haltpoll parameters in ns (null when off); `true` means the driver's defaults. */
export function guestHaltPollConfig(
  g: GuestSpec,
): { maxNs: number; grow: number; growStart: number; shrink: number; allowShrink: boolean } | null {
  const h = g.haltPoll;
  if (h === false) return null;
  if (h === true) return { maxNs: 200_000, grow: 2, growStart: 50_000, shrink: 2, allowShrink: true };
  return h;
}

/** The GIC configuration of a scenario with its defaults: 4 list registers (every Arm core, docs/costs.md F27), GICv4.1. */
export function gicConfig(s: Scenario): { listRegs: number; v41: boolean } {
  return { listRegs: s.host.gic?.listRegs ?? 4, v41: (s.host.gic?.v4 ?? '4.1') === '4.1' };
}
