// SAB data plane: the vCPU state arena, SPSC record rings, spilling outbound channels, the reducing barrier and
// the end-of-window exchange that ties them together. Platform-neutral: no node:worker_threads here.

export { Barrier, type BarrierOptions, DEFAULT_SPIN } from './barrier.ts';
export { WindowExchange } from './exchange.ts';
export { OutboundChannel } from './outbound.ts';
export { type RecordSink, RING_HEADER_BYTES, SpscRing } from './spsc-ring.ts';
export * from './vcpu-block.ts';
