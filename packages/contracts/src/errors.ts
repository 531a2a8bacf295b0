import { z } from 'zod';

/**
 * Machine-readable reason of a rejected request; the HTTP status follows from it
 * (see {@link ERROR_STATUS}).
 *
 * @example
 * ```ts
 * if (ErrorCode.safeParse(body.error.code).success) retryable = body.error.code === 'internal_error';
 * ```
 */
export const ErrorCode = z.enum([
  'malformed_json',
  'invalid_request',
  'invalid_base64',
  'body_too_large',
  'image_too_large',
  'unsupported_format',
  'not_an_image',
  'truncated_image',
  'method_not_allowed',
  'no_face',
  'low_quality',
  'not_found',
  'conflict',
  'internal_error',
]);

/** A parsed {@link ErrorCode}. */
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * HTTP status for each {@link ErrorCode}.
 *
 * @example
 * ```ts
 * ERROR_STATUS.truncated_image; // 422
 * ```
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  malformed_json: 400,
  invalid_request: 400,
  invalid_base64: 400,
  body_too_large: 413,
  image_too_large: 413,
  unsupported_format: 415,
  not_an_image: 415,
  truncated_image: 422,
  method_not_allowed: 405,
  no_face: 422,
  low_quality: 422,
  not_found: 404,
  conflict: 409,
  internal_error: 500,
};

/**
 * JSON body of every non-2xx detector and enroller answer. `message` is written for the camera operator and never
 * contains internals (stack traces, paths, AWS errors).
 *
 * @example
 * ```ts
 * const body: ErrorBody = { error: { code: 'invalid_base64', message: 'content is not valid base64' } };
 * ```
 */
export const ErrorBody = z
  .object({
    request_id: z.string().optional(),
    error: z.object({ code: ErrorCode, message: z.string() }),
  })
  .describe('FRS detector and enroller error response');

/** A parsed {@link ErrorBody}. */
export type ErrorBody = z.infer<typeof ErrorBody>;
