// VM-entry interruption-information and IDT-vectoring information, one 32-bit format (semantics §A.2;
// SDM "VM-Entry Controls for Event Injection"; K:vmx.c vmx_inject_irq, __vmx_complete_interrupts).

export const INTR_TYPE_EXT_INTR = 0;
export const INTR_TYPE_NMI = 2;
export const INTR_TYPE_HARD_EXCEPTION = 3;
export const INTR_TYPE_SOFT_INTR = 4;
export const INTR_TYPE_PRIV_SW_EXCEPTION = 5;
export const INTR_TYPE_SOFT_EXCEPTION = 6;

export const INTR_INFO_DELIVER_CODE = 1 << 11;
export const INTR_INFO_VALID = 1 << 31;

export const encodeIntrInfo = (vector: number, type: number, deliverCode = false): number =>
  ((vector & 0xff) | ((type & 7) << 8) | (deliverCode ? INTR_INFO_DELIVER_CODE : 0) | INTR_INFO_VALID) >>> 0;

export const intrInfoValid = (info: number): boolean => (info & INTR_INFO_VALID) !== 0;
export const intrInfoVector = (info: number): number => info & 0xff;
export const intrInfoType = (info: number): number => (info >>> 8) & 7;
