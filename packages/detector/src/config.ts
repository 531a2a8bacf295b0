import { parseEnvironment } from '@frs/runtime/config';
import { LogLevelSetting } from '@frs/runtime/logger';
import { MetricsNamespace } from '@frs/runtime/metrics';
import { DEFAULT_MAX_FACES } from '@frs/service/job';
import { DEFAULT_MIN_FACE_SIZE } from '@frs/vision/detect';
import { DEFAULT_MAX_PIXELS } from '@frs/vision/image';
import { z } from 'zod';
import { DetectorConfigError } from './errors.ts';

const positiveInt = z.coerce.number().int().positive();

/**
 * Environment of the detector Lambda.
 *
 * @example
 * ```ts
 * DetectorEnv.parse({ FRS_REQUEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/frs-req-queue' });
 * ```
 */
export const DetectorEnv = z.object({
  FRS_REQUEST_QUEUE_URL: z.url({ error: 'FRS_REQUEST_QUEUE_URL must be the URL of the request queue' }),
  FRS_MODELS_DIR: z.string().min(1).optional(),
  // The Function URL refuses larger payloads itself; the check here keeps the local stack honest.
  FRS_MAX_BODY_BYTES: positiveInt.default(6 * 1024 * 1024),
  FRS_MAX_PIXELS: positiveInt.default(DEFAULT_MAX_PIXELS),
  FRS_MIN_FACE_SIZE: positiveInt.default(DEFAULT_MIN_FACE_SIZE),
  FRS_MAX_FACES: positiveInt.optional(),
  FRS_METRICS_NAMESPACE: MetricsNamespace,
  LOG_LEVEL: LogLevelSetting,
});

/** Validated detector settings. */
export interface DetectorConfig {
  requestQueueUrl: string;
  modelsDir: string | undefined;
  maxBodyBytes: number;
  maxPixels: number;
  minFaceSize: number;
  /** Upper bound on faces per job; the 256 KiB message budget may stop earlier. */
  maxFaces: number;
  /** CloudWatch namespace of the EMF metrics (`FRS`). */
  metricsNamespace: string;
  logLevel: string | undefined;
}

/**
 * Parses the detector's environment once, at cold start.
 *
 * @throws {DetectorConfigError} listing every invalid variable.
 * @example
 * ```ts
 * const config = parseDetectorConfig(process.env);
 * ```
 */
export function parseDetectorConfig(env: Record<string, string | undefined>): DetectorConfig {
  const e = parseEnvironment(
    DetectorEnv,
    env,
    'detector',
    (message, options) => new DetectorConfigError(message, options),
  );
  return {
    requestQueueUrl: e.FRS_REQUEST_QUEUE_URL,
    modelsDir: e.FRS_MODELS_DIR,
    maxBodyBytes: e.FRS_MAX_BODY_BYTES,
    maxPixels: e.FRS_MAX_PIXELS,
    minFaceSize: e.FRS_MIN_FACE_SIZE,
    maxFaces: e.FRS_MAX_FACES ?? DEFAULT_MAX_FACES,
    metricsNamespace: e.FRS_METRICS_NAMESPACE,
    logLevel: e.LOG_LEVEL,
  };
}
