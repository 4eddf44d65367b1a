// I/O APIC redirection pins: edge vs level, Remote IRR and the EOI that re-arms a level pin (semantics §A.1.3
// "EOI"; K:ioapic.c ioapic_set_irq, ioapic_service, kvm_ioapic_update_eoi_one). A level pin sends one
// message and then holds Remote IRR until the LAPIC's EOI for its vector comes back; if the line is still
// asserted at that point the interrupt is sent again.

import { DEST_PHYSICAL } from './destination.ts';
import { DM_FIXED } from './icr.ts';

export const IOAPIC_NUM_PINS = 24;

export interface IoapicPin {
  vector: number;
  deliveryMode: number;
  destMode: number;
  dest: number;
  /** Trigger mode (redirection entry bit 15): true = level. */
  levelTriggered: boolean;
  masked: boolean;
  /** Redirection entry bit 14: a level message was accepted and its EOI has not come back. */
  remoteIrr: boolean;
  /** Input line state (KVM's ioapic->irr bit for the pin). */
  line: boolean;
}

/** A message the IOAPIC sends to the LAPICs (the caller resolves the destination and accepts it). */
export interface IoapicMessage {
  pin: number;
  vector: number;
  deliveryMode: number;
  destMode: number;
  dest: number;
  levelTriggered: boolean;
}

export interface Ioapic {
  pins: IoapicPin[];
}

/** Reset: every redirection entry masked, edge, vector 0. */
export function newIoapic(numPins = IOAPIC_NUM_PINS): Ioapic {
  const pins: IoapicPin[] = [];
  for (let i = 0; i < numPins; i++)
    pins.push({
      vector: 0,
      deliveryMode: DM_FIXED,
      destMode: DEST_PHYSICAL,
      dest: 0,
      levelTriggered: false,
      masked: true,
      remoteIrr: false,
      line: false,
    });
  return { pins };
}

export interface RedirectionEntry {
  vector: number;
  levelTriggered: boolean;
  masked?: boolean;
  dest?: number;
  destMode?: number;
  deliveryMode?: number;
}

/** Program a redirection entry. Unmasking a level pin whose line is asserted services it at once. */
export function ioapicProgram(io: Ioapic, pin: number, e: RedirectionEntry): IoapicMessage | null {
  const p = io.pins[pin];
  p.vector = e.vector & 0xff;
  p.levelTriggered = e.levelTriggered;
  p.masked = e.masked ?? false;
  p.dest = e.dest ?? 0;
  p.destMode = e.destMode ?? DEST_PHYSICAL;
  p.deliveryMode = e.deliveryMode ?? DM_FIXED;
  return p.levelTriggered ? service(io, pin) : null;
}

function service(io: Ioapic, pin: number): IoapicMessage | null {
  const p = io.pins[pin];
  if (p.masked || !p.line) return null;
  if (p.levelTriggered) {
    if (p.remoteIrr) return null; // one message per EOI: further assertions coalesce here
    p.remoteIrr = true;
  }
  return {
    pin,
    vector: p.vector,
    deliveryMode: p.deliveryMode,
    destMode: p.destMode,
    dest: p.dest,
    levelTriggered: p.levelTriggered,
  };
}

/** Drive the input line. Edge pins send on a rising edge; level pins send while asserted and Remote IRR = 0. */
export function ioapicSetLine(io: Ioapic, pin: number, asserted: boolean): IoapicMessage | null {
  const p = io.pins[pin];
  const rising = asserted && !p.line;
  p.line = asserted;
  if (!asserted) return null;
  if (!p.levelTriggered && !rising) return null;
  return service(io, pin);
}

/**
 * EOI broadcast for `vector`: every level pin with that vector clears Remote IRR, and re-sends if its line is
 * still asserted and unmasked (retrigger without masking, X-13). Returns the messages re-sent.
 */
export function ioapicEoi(io: Ioapic, vector: number): IoapicMessage[] {
  const out: IoapicMessage[] = [];
  for (let i = 0; i < io.pins.length; i++) {
    const p = io.pins[i];
    if (!p.levelTriggered || p.vector !== vector || !p.remoteIrr) continue;
    p.remoteIrr = false;
    const m = service(io, i);
    if (m !== null) out.push(m);
  }
  return out;
}
