import { parseEnvironment } from '@frs/runtime/config';
import { CodedError } from '@frs/runtime/errors';
import { LogLevelSetting } from '@frs/runtime/logger';
import { MetricsNamespace } from '@frs/runtime/metrics';
import { DEFAULT_MIN_FACE_SIZE } from '@frs/vision/detect';
import { DEFAULT_MAX_PIXELS } from '@frs/vision/image';
import { parseS3Location } from '@frs/vision/store';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

/**
 * Environment of the enroller Lambda.
 *
 * @example
 * ```ts
 * EnrollerEnv.parse({ FRS_GALLERY_STORE: 's3://frs-gallery-123/gallery/' });
 * ```
 */
export const EnrollerEnv = z.object({
  FRS_GALLERY_STORE: z
    .string({ error: 'FRS_GALLERY_STORE is required: s3://bucket/prefix/ of the managed gallery' })
    .refine((s) => {
      try {
        return parseS3Location(s).key === '' || s.endsWith('/');
      } catch {
        return false;
      }
    }, 'FRS_GALLERY_STORE must be s3://bucket/prefix/ (ending with /)'),
  FRS_MODELS_DIR: z.string().min(1).optional(),
  FRS_MAX_BODY_BYTES: positiveInt.default(6 * 1024 * 1024),
  FRS_MAX_PIXELS: positiveInt.default(DEFAULT_MAX_PIXELS),
  FRS_MIN_FACE_SIZE: positiveInt.default(DEFAULT_MIN_FACE_SIZE),
  FRS_METRICS_NAMESPACE: MetricsNamespace,
  LOG_LEVEL: LogLevelSetting,
});

/** Validated enroller settings. */
export interface EnrollerConfig {
  /** `s3://bucket/prefix/`. */
  store: string;
  modelsDir: string | undefined;
  maxBodyBytes: number;
  maxPixels: number;
  minFaceSize: number;
  /** CloudWatch namespace of the EMF metrics (`FRS`). */
  metricsNamespace: string;
  logLevel: string | undefined;
}

/**
 * Base of the enroller Lambda's own errors; `code` is stable for logs and tests. Client errors are the
 * service layer's `RequestRejectedError`.
 *
 * @example
 * ```ts
 * if (error instanceof EnrollerError) logger.error('enroller fault', { code: error.code });
 * ```
 */
export class EnrollerError extends CodedError {}

/**
 * The enroller's environment is invalid; thrown at cold start so the function fails loudly.
 *
 * @example
 * ```ts
 * throw new EnrollerConfigError('FRS_GALLERY_STORE: Required');
 * ```
 */
export class EnrollerConfigError extends EnrollerError {
  override readonly code = 'enroller_config';
}

/**
 * Parses the enroller's environment once, at cold start.
 *
 * @throws {EnrollerConfigError} listing every invalid variable.
 * @example
 * ```ts
 * const config = parseEnrollerConfig(process.env);
 * ```
 */
export function parseEnrollerConfig(env: Record<string, string | undefined>): EnrollerConfig {
  const e = parseEnvironment(
    EnrollerEnv,
    env,
    'enroller',
    (message, options) => new EnrollerConfigError(message, options),
  );
  return {
    store: e.FRS_GALLERY_STORE,
    modelsDir: e.FRS_MODELS_DIR,
    maxBodyBytes: e.FRS_MAX_BODY_BYTES,
    maxPixels: e.FRS_MAX_PIXELS,
    minFaceSize: e.FRS_MIN_FACE_SIZE,
    metricsNamespace: e.FRS_METRICS_NAMESPACE,
    logLevel: e.LOG_LEVEL,
  };
}
