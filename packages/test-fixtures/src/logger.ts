import { createJsonLogger, type JsonLogger } from '@frs/runtime/logger';

export { recordingLogger } from '@frs/runtime/logger';
export { recordingMetrics } from '@frs/runtime/metrics';

/**
 * A logger for what a test measures (figures a reader of the test output wants: parity, distances,
 * timings): JSON lines on stderr at `info`, or at `LOG_LEVEL`. Tests write these instead of `console.log`,
 * so the lines are structured and `LOG_LEVEL=warn` silences them.
 *
 * @example
 * ```ts
 * const log = testLogger('vision-align');
 * log.info('chip landmark distance to template (px)', { errors });
 * ```
 */
export function testLogger(service: string): JsonLogger {
  return createJsonLogger({
    service,
    level: process.env.LOG_LEVEL ?? 'info',
    write: (line) => process.stderr.write(`${line}\n`),
  });
}

/**
 * A logger that keeps only errors, on stderr: for code under test that needs a logger whose lines the test
 * does not assert.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ logger: quietLogger(), port: 0 });
 * ```
 */
export function quietLogger(service = 'test'): JsonLogger {
  return createJsonLogger({ service, level: 'error', write: (line) => process.stderr.write(`${line}\n`) });
}
