import { CodedError } from '@frs/runtime/errors';

/**
 * Base of the local stack's own errors (emulators that do not start, ports that do not bind, camera ids
 * that cannot name a queue); `code` is stable for logs and tests.
 *
 * @example
 * ```ts
 * if (error instanceof LocalError) console.error(`local stack: ${error.code}: ${error.message}`);
 * ```
 */
export class LocalError extends CodedError {}
