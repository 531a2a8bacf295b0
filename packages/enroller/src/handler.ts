import { createJsonLogger } from '@frs/runtime/logger';
import { createHandler } from './app.ts';
import { parseEnrollerConfig } from './config.ts';
import { createEnrollerDeps } from './deps.ts';
import { SERVICE } from './metrics.ts';

// Module scope runs once per container: a bad environment fails the cold start with a clear message.
const config = parseEnrollerConfig(process.env);
const logger = createJsonLogger({ service: SERVICE, level: config.logLevel });
const deps = createEnrollerDeps(config, logger);
// Load the models during the init phase, which runs at full CPU; a failure is logged and retried later.
deps.pipeline().catch((error: unknown) => logger.error('model preload failed', { error }));

/**
 * Lambda entry point of the enroller (Function URL, payload format 2.0).
 *
 * @example
 * ```ts
 * // Lambda handler setting: enroller/dist/handler.handler
 * const response = await handler(functionUrlEvent); // e.g. GET /people -> 200 {"people": [...]}
 * ```
 */
export const handler = createHandler(deps);
