// What a shard worker needs (packages/workers shard-task.ts), as an entry point of its own: the composition root
// (the engine, the schemes, cost resolution, topology) and the cross-shard memory primitives — not the scenario schema (zod), YAML, the
// built-in scenarios, their reference text or the results and statistics code, which the main thread has already
// used (DESIGN §19.10). `@ivsim/core/shard` in package.json.

export { Barrier } from './mem/barrier.ts';
export { WindowExchange } from './mem/exchange.ts';
export { OutboundChannel } from './mem/outbound.ts';
export { SpscRing } from './mem/spsc-ring.ts';
export { composeSim, type RunParts, runParts, runsBare } from './run/compose.ts';
