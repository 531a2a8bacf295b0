import { ERROR_STATUS, type ErrorCode } from '@frs/contracts/errors';

/**
 * A request the detector rejects. Owns its HTTP status (from {@link ERROR_STATUS}) and a message that is
 * safe to show to the client; the `cause` (logged, never returned) keeps the internal detail.
 *
 * @example
 * ```ts
 * throw new RequestRejectedError('invalid_base64', 'content is not valid base64');
 * ```
 */
export class RequestRejectedError extends Error {
  override name = 'RequestRejectedError';
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = ERROR_STATUS[code];
  }
}

/**
 * The job could not be put on the request queue (a server fault: answered with 5xx, nothing leaks).
 *
 * @example
 * ```ts
 * throw new JobQueueError('SendMessage failed', { cause: sdkError });
 * ```
 */
export class JobQueueError extends Error {
  override name = 'JobQueueError';
}

/**
 * The detector's environment is invalid; thrown at cold start so the function fails loudly.
 *
 * @example
 * ```ts
 * throw new DetectorConfigError('FRS_REQUEST_QUEUE_URL: Required');
 * ```
 */
export class DetectorConfigError extends Error {
  override name = 'DetectorConfigError';
}
