export * from './cpuif-block.ts';
export * from './gicv4-rd.ts';
export * from './its.ts';
export * from './lr-fields.ts';
export * from './lr-v2.ts';
export * from './lr-v3.ts';
export * from './lr-view.ts';
export * from './vcpu-if.ts';
