// The recognizer Lambda's hosting API: what a host (the Lambda runtime through `handler.ts`, the local stack)
// needs to run the function and provision its table. The pipeline itself is `@frs/service`.
export { createHandler, type RecognizerDeps, type ResultRoute } from './app.ts';
export { parseRecognizerConfig, type RecognizerConfig, RecognizerEnv } from './config.ts';
export { createRecognizerDeps, createResultSender, MISSING_QUEUE_RETRY_MS } from './deps.ts';
export {
  IdempotencyStoreError,
  JobInProgressError,
  RecognizerConfigError,
  RecognizerError,
  ResultQueueError,
} from './errors.ts';
export {
  type BeginOutcome,
  createDynamoIdempotencyStore,
  createIdempotencyTable,
  type IdempotencyStore,
  idempotencyKey,
} from './idempotency.ts';
export { SERVICE } from './metrics.ts';
