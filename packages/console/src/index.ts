export { ConsoleError, ConsoleHttpError, ErrorLog, type SeenError } from './errors.ts';
export { createHealth, dlqUrlFor, type HealthOptions, type QueueDepth } from './health.ts';
export {
  type CollectedResult,
  createResultCollector,
  type ResultCollector,
  type ResultCollectorOptions,
} from './results.ts';
export { type ConsoleOptions, type ConsoleServer, startConsole } from './server.ts';
export { type Asset, loadAssets, PUBLIC_DIR } from './static.ts';
export {
  createUpstream,
  type Signer,
  type Upstream,
  type UpstreamOptions,
  type UpstreamRequest,
  type UpstreamResponse,
} from './upstream.ts';
