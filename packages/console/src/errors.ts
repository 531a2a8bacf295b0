import { CodedError } from '@frs/runtime/errors';

/**
 * Base of every error the console throws; `code` is stable for logs and tests and `cause` keeps the
 * underlying error.
 *
 * @example
 * ```ts
 * if (error instanceof ConsoleError) errors.add({ source: 'console', message: `${error.code}: ${error.message}` });
 * ```
 */
export class ConsoleError extends CodedError {}

/**
 * An answer the console server gives itself (not one passed through from the service): it owns its
 * status and a message safe to show; `code` is the one its error JSON carries (the detector's codes, such
 * as `not_found`, and the console's own, such as `forbidden_origin`).
 *
 * @example
 * ```ts
 * throw new ConsoleHttpError(404, 'not_found', 'no such API route');
 * ```
 */
export class ConsoleHttpError extends ConsoleError {
  readonly status: number;
  override readonly code: string;

  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.code = code;
  }
}

/** One failure the proxy saw, as the Health view lists it. */
export interface SeenError {
  at: string;
  /** What failed: `detector`, `enroller`, `response queue`, `health`, … */
  source: string;
  message: string;
  status?: number;
  request_id?: string;
}

/**
 * The last errors the proxy saw (upstream 4xx/5xx answers, network failures, SQS failures, results
 * that never came), newest first, bounded so a failing upstream cannot grow it.
 */
export class ErrorLog {
  readonly #entries: SeenError[] = [];
  readonly #limit: number;

  constructor(limit = 50) {
    this.#limit = limit;
  }

  add(entry: Omit<SeenError, 'at'>): void {
    this.#entries.unshift({ at: new Date().toISOString(), ...entry });
    this.#entries.length = Math.min(this.#entries.length, this.#limit);
  }

  list(): SeenError[] {
    return [...this.#entries];
  }
}

/** A short reason for an unknown thrown value, without stacks. */
export function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
