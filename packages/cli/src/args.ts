import { UsageError } from './command.ts';

/**
 * Parses a positive number option, with a usage error naming the flag.
 *
 * @example
 * ```ts
 * const timeout = positiveNumber('--timeout', values.timeout); // 30
 * ```
 */
export function positiveNumber(flag: string, value: string | undefined, integer = false): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${value}'`);
  }
  return n;
}
