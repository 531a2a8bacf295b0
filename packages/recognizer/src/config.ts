import { MAX_RESULT_CANDIDATES } from '@frs/contracts/result';
import { parseEnvironment } from '@frs/runtime/config';
import { LogLevelSetting } from '@frs/runtime/logger';
import { MetricsNamespace } from '@frs/runtime/metrics';
import { z } from 'zod';
import { RecognizerConfigError } from './errors.ts';

/**
 * Environment of the recognizer Lambda.
 *
 * @example
 * ```ts
 * RecognizerEnv.parse({ FRS_RESPONSE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q', FRS_GALLERY: '/opt/gallery.json' });
 * ```
 */
export const RecognizerEnv = z.object({
  FRS_RESPONSE_QUEUE_URL: z.url({ error: 'FRS_RESPONSE_QUEUE_URL must be the URL of the response queue' }),
  // The URL of a camera's queue minus its camera id, e.g. https://sqs.eu-west-1.amazonaws.com/1/frs-resp-
  FRS_CAMERA_QUEUE_PREFIX: z
    .url({ error: 'FRS_CAMERA_QUEUE_PREFIX must be a queue URL without its camera id suffix' })
    .optional(),
  FRS_GALLERY: z
    .string({
      error:
        'FRS_GALLERY is required: s3://bucket/key, a gallery file path, a file:// URL or an https:// URL',
    })
    .min(1, 'FRS_GALLERY must not be empty'),
  // Between conditional reads of the gallery; the default keeps an enrolment's visibility within 15 s.
  FRS_GALLERY_REFRESH_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
  FRS_MATCH_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  // Nearest people listed with each result face (ResultFace.candidates); 0 leaves the field out.
  FRS_RESULT_CANDIDATES: z.coerce.number().int().min(0).max(MAX_RESULT_CANDIDATES).default(0),
  FRS_MODELS_DIR: z.string().min(1).optional(),
  // Unset: no deduplication (logged once at cold start).
  FRS_IDEMPOTENCY_TABLE: z.string().min(3).max(255).optional(),
  // How long an answered job is remembered: covers a camera's retries and SQS redeliveries.
  FRS_IDEMPOTENCY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(3600),
  // A crashed invocation's claim expires after this, so the retry runs; set it to the function timeout
  // (at most the request queue's visibility timeout, or a retry is refused and counts towards the DLQ).
  FRS_IDEMPOTENCY_IN_PROGRESS_SECONDS: z.coerce.number().int().min(1).max(43_200).default(60),
  // Records are not started when less than this (or twice the slowest record so far) is left.
  FRS_TIME_MARGIN_SECONDS: z.coerce.number().min(0).max(900).default(10),
  FRS_METRICS_NAMESPACE: MetricsNamespace,
  LOG_LEVEL: LogLevelSetting,
});

/** Validated recognizer settings. */
export interface RecognizerConfig {
  responseQueueUrl: string;
  /**
   * `<prefix><camera_id>` is the response queue of a camera; unset: every result goes to the shared
   * queue. A result whose camera has no queue falls back to the shared queue.
   */
  cameraQueuePrefix: string | undefined;
  /** `s3://bucket/key`, a path, a `file://` URL or an `https://` URL. */
  gallery: string;
  /** Seconds between conditional reads of the gallery (0: before every job). */
  galleryRefreshSeconds: number;
  /** Undefined: the embedder's calibrated default from `@frs/vision/match`. */
  matchThreshold: number | undefined;
  /** Nearest people each result face lists (0: no `candidates` field). */
  resultCandidates: number;
  modelsDir: string | undefined;
  /** CloudWatch namespace of the EMF metrics (`FRS`). */
  metricsNamespace: string;
  /** DynamoDB table of answered jobs; undefined = no deduplication. */
  idempotencyTable: string | undefined;
  idempotencyTtlSeconds: number;
  idempotencyInProgressSeconds: number;
  /** Minimum time left in the invocation to start another record. */
  timeMarginMs: number;
  logLevel: string | undefined;
}

/**
 * Parses the recognizer's environment once, at cold start.
 *
 * @throws {RecognizerConfigError} listing every invalid variable.
 * @example
 * ```ts
 * const config = parseRecognizerConfig(process.env);
 * ```
 */
export function parseRecognizerConfig(env: Record<string, string | undefined>): RecognizerConfig {
  const e = parseEnvironment(
    RecognizerEnv,
    env,
    'recognizer',
    (message, options) => new RecognizerConfigError(message, options),
  );
  return {
    responseQueueUrl: e.FRS_RESPONSE_QUEUE_URL,
    cameraQueuePrefix: e.FRS_CAMERA_QUEUE_PREFIX,
    gallery: e.FRS_GALLERY,
    galleryRefreshSeconds: e.FRS_GALLERY_REFRESH_SECONDS,
    matchThreshold: e.FRS_MATCH_THRESHOLD,
    resultCandidates: e.FRS_RESULT_CANDIDATES,
    modelsDir: e.FRS_MODELS_DIR,
    metricsNamespace: e.FRS_METRICS_NAMESPACE,
    idempotencyTable: e.FRS_IDEMPOTENCY_TABLE,
    idempotencyTtlSeconds: e.FRS_IDEMPOTENCY_TTL_SECONDS,
    idempotencyInProgressSeconds: e.FRS_IDEMPOTENCY_IN_PROGRESS_SECONDS,
    timeMarginMs: e.FRS_TIME_MARGIN_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
  };
}
