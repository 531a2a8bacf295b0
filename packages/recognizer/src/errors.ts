import { CodedError } from '@frs/runtime/errors';
/**
 * Base of the recognizer Lambda's own errors; `code` is stable for logs and tests. A job that can never
 * succeed is the service layer's `PoisonJobError`.
 *
 * @example
 * ```ts
 * if (error instanceof RecognizerError) logger.error('recognizer fault', { code: error.code });
 * ```
 */
export class RecognizerError extends CodedError {}

/**
 * The result could not be put on the response queue; the record is retried.
 *
 * @example
 * ```ts
 * throw new ResultQueueError('SendMessage failed', { cause: sdkError });
 * ```
 */
export class ResultQueueError extends RecognizerError {
  override readonly code = 'result_queue';
}

/**
 * The recognizer's environment or gallery is invalid; thrown at cold start with a clear message.
 *
 * @example
 * ```ts
 * throw new RecognizerConfigError('FRS_GALLERY: Required');
 * ```
 */
export class RecognizerConfigError extends RecognizerError {
  override readonly code = 'recognizer_config';
}

/**
 * The idempotency table could not be read or written. The job is still answered (a duplicate result is
 * harmless, a missing one is not); the error is logged.
 *
 * @example
 * ```ts
 * throw new IdempotencyStoreError('PutItem failed', { cause: sdkError });
 * ```
 */
export class IdempotencyStoreError extends RecognizerError {
  override readonly code = 'idempotency_store';
}

/**
 * Another invocation holds the job's idempotency claim (a duplicate delivered while the first copy is
 * still being answered, or a crash less than the in-progress TTL ago); the record is retried later.
 *
 * @example
 * ```ts
 * throw new JobInProgressError('job cam-1-42 is being answered by another invocation');
 * ```
 */
export class JobInProgressError extends RecognizerError {
  override readonly code = 'job_in_progress';
}
