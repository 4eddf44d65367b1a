// comlink's Node adapter is CommonJS (`module.exports = fn`); under NodeNext TypeScript types the default import as
// `{ default }`. Normalise it once (TOOLCHAIN.md §5).
import nodeEndpointCjs from 'comlink/dist/umd/node-adapter.js';

type NodeEndpointFn = typeof nodeEndpointCjs.default;
export const nodeEndpoint: NodeEndpointFn =
  typeof nodeEndpointCjs === 'function' ? (nodeEndpointCjs as unknown as NodeEndpointFn) : nodeEndpointCjs.default;
