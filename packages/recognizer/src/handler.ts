import { createJsonLogger } from '@frs/runtime/logger';
import { createHandler } from './app.ts';
import { parseRecognizerConfig } from './config.ts';
import { createRecognizerDeps } from './deps.ts';
import { SERVICE } from './metrics.ts';

// Module scope runs once per container: a bad environment fails the cold start with a clear message.
const config = parseRecognizerConfig(process.env);
const logger = createJsonLogger({ service: SERVICE, level: config.logLevel });
const deps = createRecognizerDeps(config, logger);
// Start loading the embedder and the gallery during the init phase, which runs at full CPU before the
// first batch; a failure is logged and evicted, so the first invocation retries.
Promise.all([deps.embedder(), deps.matcher()]).catch((error: unknown) =>
  logger.error('preload failed', { error }),
);

/**
 * Lambda entry point of the recognizer (SQS event source mapping with `ReportBatchItemFailures`).
 *
 * @example
 * ```ts
 * // Lambda handler setting: packages/recognizer/dist/handler.handler
 * const { batchItemFailures } = await handler(sqsEvent);
 * ```
 */
export const handler = createHandler(deps);
