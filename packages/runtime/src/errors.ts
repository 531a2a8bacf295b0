/**
 * An error with a stable machine-readable `code` (for logs, metrics and tests) and the usual `cause`. Each
 * package derives its one error base from it (`ServiceError`, `DetectorError`, …), so `instanceof` answers
 * "whose error is it" and `code` answers "which one".
 *
 * @example
 * ```ts
 * export class DetectorError extends CodedError {}
 * throw new DetectorError('job_queue', 'could not queue the job', { cause: sdkError });
 * ```
 */
export class CodedError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
