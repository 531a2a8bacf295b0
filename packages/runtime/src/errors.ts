/**
 * An error with a stable machine-readable `code` (for logs, metrics and tests) and the usual `cause`. Each
 * package derives its one error base from it (`ServiceError`, `DetectorError`, …) and each error its `code`,
 * so `instanceof` answers "whose error is it" and `code` answers "which one" (the convention of
 * `@frs/vision`'s image and model errors).
 *
 * @example
 * ```ts
 * export class DetectorError extends CodedError {}
 * export class JobQueueError extends DetectorError {
 *   override readonly code = 'job_queue';
 * }
 * throw new JobQueueError('could not queue the job', { cause: sdkError });
 * ```
 */
export class CodedError extends Error {
  readonly code: string = 'error';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
