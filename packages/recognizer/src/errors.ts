/**
 * A request-queue record that can never succeed (not JSON, not a job, wrong embedder). It is reported as
 * a batch item failure, so after the queue's `maxReceiveCount` it lands in the DLQ for inspection.
 *
 * @example
 * ```ts
 * throw new PoisonJobError('record is not valid JSON', { cause: error });
 * ```
 */
export class PoisonJobError extends Error {
  override name = 'PoisonJobError';
}

/**
 * The result could not be put on the response queue; the record is retried.
 *
 * @example
 * ```ts
 * throw new ResultQueueError('SendMessage failed', { cause: sdkError });
 * ```
 */
export class ResultQueueError extends Error {
  override name = 'ResultQueueError';
}

/**
 * The recognizer's environment or gallery is invalid; thrown at cold start with a clear message.
 *
 * @example
 * ```ts
 * throw new RecognizerConfigError('FRS_GALLERY: Required');
 * ```
 */
export class RecognizerConfigError extends Error {
  override name = 'RecognizerConfigError';
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
export class IdempotencyStoreError extends Error {
  override name = 'IdempotencyStoreError';
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
export class JobInProgressError extends Error {
  override name = 'JobInProgressError';
}
