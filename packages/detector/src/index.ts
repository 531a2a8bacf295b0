// The detector Lambda's hosting API: what a host (the Lambda runtime through `handler.ts`, the local stack)
// needs to run the function. The pipeline itself is `@frs/service`; nothing else here is public.
export { createHandler, type DetectorDeps } from './app.ts';
export { type DetectorConfig, DetectorEnv, parseDetectorConfig } from './config.ts';
export { createDetectorDeps } from './deps.ts';
export { DetectorConfigError, DetectorError, JobQueueError } from './errors.ts';
export { SERVICE } from './metrics.ts';
