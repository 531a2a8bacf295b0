import { CodedError } from '@frs/runtime/errors';

/**
 * Base of every error the `frs` command line throws (usage mistakes, names files, enroller answers, results
 * that never come); `code` is stable for scripts and tests (`usage`, `person_name`, …; an enroller answer
 * carries the API's own code) and `cause` keeps the underlying error.
 *
 * @example
 * ```ts
 * if (error instanceof CliError) console.error(`frs: ${error.code}: ${error.message}`);
 * ```
 */
export class CliError extends CodedError {}
