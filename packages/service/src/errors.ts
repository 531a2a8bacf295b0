import { ERROR_STATUS, type ErrorCode } from '@frs/contracts/errors';
import { CodedError } from '@frs/runtime/errors';

/**
 * Base of every error the service layer throws; `code` is stable (logs, metrics, tests) and `cause` keeps the
 * underlying error.
 *
 * @example
 * ```ts
 * if (error instanceof ServiceError) logger.warn('service error', { code: error.code });
 * ```
 */
export class ServiceError extends CodedError {}

/**
 * A request a Function URL rejects. Owns its HTTP status (from {@link ERROR_STATUS}) and a message that is
 * safe to show to the client; the `cause` (logged, never returned) keeps the internal detail.
 *
 * @example
 * ```ts
 * throw new RequestRejectedError('invalid_base64', 'content is not valid base64');
 * ```
 */
export class RequestRejectedError extends ServiceError {
  override readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = ERROR_STATUS[code];
  }
}

/**
 * A recognition job that can never succeed (not JSON, not a job, chips for another embedder or size, a chip
 * that does not decode). The recognizer reports it as a batch item failure, so after the queue's
 * `maxReceiveCount` it lands in the DLQ for inspection.
 *
 * @example
 * ```ts
 * throw new PoisonJobError('record body is not valid JSON', { cause: error });
 * ```
 */
export class PoisonJobError extends ServiceError {
  override readonly code = 'poison_job';
}

/**
 * A gallery that cannot serve: unreadable, not a gallery, or built for another embedder. The message names
 * the location without a presigned URL's query.
 *
 * @example
 * ```ts
 * throw new GalleryUnusableError('FRS_GALLERY: s3://b/k is not usable: it does not exist');
 * ```
 */
export class GalleryUnusableError extends ServiceError {
  override readonly code = 'gallery_unusable';
}
