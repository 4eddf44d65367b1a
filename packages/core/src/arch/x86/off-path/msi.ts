// MSI address/data decoding for x86 (semantics §A.1.2, §B.3 IRTE decision; SDM "Message Signalled Interrupts";
// K:irq_comm.c kvm_set_msi_irq). Address: dest ID [19:12], redirection hint [3], destination mode [2];
// address_hi [31:8] extends the destination for x2APIC-format messages. Data: vector [7:0], delivery mode
// [10:8], level [14], trigger [15].

import { DEST_LOGICAL, DEST_PHYSICAL } from './destination.ts';

export const MSI_ADDR_BASE = 0xfee00000;

export interface MsiMessage {
  dest: number;
  destMode: number;
  redirectionHint: boolean;
  vector: number;
  deliveryMode: number;
  levelTriggered: boolean;
  assert: boolean;
}

export function decodeMsi(addressLo: number, data: number, addressHi = 0): MsiMessage {
  return {
    dest: (((addressLo >>> 12) & 0xff) | (addressHi & 0xffffff00)) >>> 0,
    destMode: addressLo & (1 << 2) ? DEST_LOGICAL : DEST_PHYSICAL,
    redirectionHint: (addressLo & (1 << 3)) !== 0,
    vector: data & 0xff,
    deliveryMode: (data >>> 8) & 7,
    levelTriggered: (data & (1 << 15)) !== 0,
    assert: (data & (1 << 14)) !== 0,
  };
}

/** Encodes an x2APIC-less (8-bit destination) message; level [14] is always asserted, as Linux writes it. */
export function encodeMsi(m: Omit<MsiMessage, 'redirectionHint' | 'assert'>): { addressLo: number; data: number } {
  const addressLo = (MSI_ADDR_BASE | ((m.dest & 0xff) << 12) | (m.destMode === DEST_LOGICAL ? 1 << 2 : 0)) >>> 0;
  const data = (m.vector & 0xff) | ((m.deliveryMode & 7) << 8) | (m.levelTriggered ? 1 << 15 : 0) | (1 << 14);
  return { addressLo, data };
}
