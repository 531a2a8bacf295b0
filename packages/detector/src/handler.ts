import { createJsonLogger } from '@frs/runtime/logger';
import { createHandler } from './app.ts';
import { parseDetectorConfig } from './config.ts';
import { createDetectorDeps } from './deps.ts';
import { SERVICE } from './metrics.ts';

// Module scope runs once per container: a bad environment fails the cold start with a clear message.
const config = parseDetectorConfig(process.env);
const logger = createJsonLogger({ service: SERVICE, level: config.logLevel });
const deps = createDetectorDeps(config, logger);
// Start loading the models during the init phase, which runs at full CPU before the first request;
// a failure is logged and evicted, so the first invocation retries.
deps.faceFinder().catch((error: unknown) => logger.error('model preload failed', { error }));

/**
 * Lambda entry point of the detector (Function URL, payload format 2.0).
 *
 * @example
 * ```ts
 * // Lambda handler setting: packages/detector/dist/handler.handler
 * const response = await handler(functionUrlEvent);
 * ```
 */
export const handler = createHandler(deps);
