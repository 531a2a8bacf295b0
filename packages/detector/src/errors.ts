import { CodedError } from '@frs/runtime/errors';
/**
 * Base of the detector Lambda's own errors; `code` is stable for logs and tests. Client errors are the
 * service layer's `RequestRejectedError`.
 *
 * @example
 * ```ts
 * if (error instanceof DetectorError) logger.error('detector fault', { code: error.code });
 * ```
 */
export class DetectorError extends CodedError {}

/**
 * The job could not be put on the request queue (a server fault: answered with 5xx, nothing leaks).
 *
 * @example
 * ```ts
 * throw new JobQueueError('SendMessage failed', { cause: sdkError });
 * ```
 */
export class JobQueueError extends DetectorError {
  override readonly code = 'job_queue';
}

/**
 * The detector's environment is invalid; thrown at cold start so the function fails loudly.
 *
 * @example
 * ```ts
 * throw new DetectorConfigError('FRS_REQUEST_QUEUE_URL: Required');
 * ```
 */
export class DetectorConfigError extends DetectorError {
  override readonly code = 'detector_config';
}
