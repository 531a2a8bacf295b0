import { createJsonLogger } from '@frs/contracts/logger';
import { createHandler } from './app.ts';
import { parseRecognizerConfig } from './config.ts';
import { createRecognizerDeps } from './deps.ts';

// Module scope runs once per container: a bad environment fails the cold start with a clear message.
const config = parseRecognizerConfig(process.env);
const logger = createJsonLogger({ service: 'frs-recognizer', level: config.logLevel });

/**
 * Lambda entry point of the recognizer (SQS event source mapping with `ReportBatchItemFailures`).
 *
 * @example
 * ```ts
 * // Lambda handler setting: packages/recognizer/dist/handler.handler
 * const { batchItemFailures } = await handler(sqsEvent);
 * ```
 */
export const handler = createHandler(createRecognizerDeps(config, logger));
