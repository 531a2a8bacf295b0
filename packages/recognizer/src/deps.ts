import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { QueueDoesNotExist, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CAMERA_ID_ATTRIBUTE } from '@frs/contracts/result';
import type { JsonLogger } from '@frs/runtime/logger';
import { memoise } from '@frs/runtime/memo';
import { createEmfSink, type MetricsSink } from '@frs/runtime/metrics';
import { decodeChipPng } from '@frs/service/chip';
import { createLiveMatcher } from '@frs/service/gallery';
import { defaultGalleryModel, loadEmbedder } from '@frs/service/models';
import { defaultThreshold, galleryThreshold } from '@frs/vision/match';
import type { RecognizerDeps, ResultRoute } from './app.ts';
import type { RecognizerConfig } from './config.ts';
import { createDynamoIdempotencyStore } from './idempotency.ts';
import { SERVICE } from './metrics.ts';

/** How long a camera queue found missing is not tried again (a container lives for hours). */
export const MISSING_QUEUE_RETRY_MS = 5 * 60_000;

function isMissingQueue(error: unknown): boolean {
  // The JSON protocol names the error QueueDoesNotExist; older endpoints answer with the query code.
  return (
    error instanceof QueueDoesNotExist ||
    (error instanceof Error &&
      (error.name === 'QueueDoesNotExist' || error.name === 'AWS.SimpleQueueService.NonExistentQueue'))
  );
}

/**
 * The recognizer's `sendResult`: every result whose job had a `camera_id` carries it as the String
 * message attribute `camera_id`, so a camera on the shared queue can skip other cameras' results without
 * reading them. With `cameraQueuePrefix`, such a result goes to `<prefix><camera_id>` instead; when that
 * queue does not exist (a camera nobody provisioned a queue for) it goes to the shared queue with a
 * warning, so a missing queue never fails the record. A missing queue is remembered for
 * {@link MISSING_QUEUE_RETRY_MS}, so an unprovisioned camera costs one extra call per interval, not per
 * result.
 *
 * @example
 * ```ts
 * const sendResult = createResultSender({ sqs, responseQueueUrl, cameraQueuePrefix: 'https://sqs.eu-west-1.amazonaws.com/1/frs-resp-', logger });
 * await sendResult(JSON.stringify(result), { requestId: 'r-1', cameraId: 'cam1' }); // to …/frs-resp-cam1
 * ```
 */
export function createResultSender(options: {
  sqs: SQSClient;
  responseQueueUrl: string;
  cameraQueuePrefix: string | undefined;
  logger: JsonLogger;
  now?: () => number;
}): RecognizerDeps['sendResult'] {
  const { sqs, responseQueueUrl, cameraQueuePrefix, logger } = options;
  const now = options.now ?? Date.now;
  const missingUntil = new Map<string, number>();
  const send = async (queueUrl: string, body: string, cameraId: string | undefined) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        ...(cameraId === undefined
          ? {}
          : { MessageAttributes: { [CAMERA_ID_ATTRIBUTE]: { DataType: 'String', StringValue: cameraId } } }),
      }),
    );
  };
  return async (body: string, route: ResultRoute) => {
    const { cameraId } = route;
    if (cameraQueuePrefix === undefined || cameraId === undefined) {
      return send(responseQueueUrl, body, cameraId);
    }
    const cameraQueueUrl = `${cameraQueuePrefix}${cameraId}`;
    const until = missingUntil.get(cameraId);
    if (until === undefined || until <= now()) {
      try {
        await send(cameraQueueUrl, body, cameraId);
        missingUntil.delete(cameraId);
        return;
      } catch (error) {
        if (!isMissingQueue(error)) throw error;
        missingUntil.set(cameraId, now() + MISSING_QUEUE_RETRY_MS);
        logger.warn('camera queue does not exist; results of this camera go to the shared queue', {
          camera_id: cameraId,
          request_id: route.requestId,
          camera_queue_url: cameraQueueUrl,
          retry_in_s: MISSING_QUEUE_RETRY_MS / 1000,
        });
      }
    }
    await send(responseQueueUrl, body, cameraId);
  };
}

// Unless a threshold is configured it follows the gallery's size, so the share of strangers given a name stays
// at the calibrated target however many people are enrolled.
function calibratedRule(modelId: string): (people: number) => number {
  // Throws UncalibratedModelError now, at start-up, rather than at the first gallery load.
  defaultThreshold(modelId);
  return (people) => galleryThreshold(modelId, people);
}

/**
 * The real recognizer dependencies: the embedder (loaded once), the gallery from `FRS_GALLERY` (read at
 * cold start, then re-read conditionally every `FRS_GALLERY_REFRESH_SECONDS`) with the configured threshold
 * or the calibrated one for the gallery's size, results sent by {@link createResultSender}, SQS and S3
 * clients (which honour `AWS_ENDPOINT_URL_SQS`/`_S3` and `AWS_REGION`), EMF metrics on stdout in the
 * `FRS_METRICS_NAMESPACE` namespace and, when `FRS_IDEMPOTENCY_TABLE` is set, the DynamoDB idempotency store
 * (`AWS_ENDPOINT_URL_DYNAMODB`).
 *
 * @example
 * ```ts
 * const deps = createRecognizerDeps(parseRecognizerConfig(process.env), logger);
 * export const handler = createHandler(deps);
 * ```
 */
export function createRecognizerDeps(
  config: RecognizerConfig,
  logger: JsonLogger,
  overrides: {
    sqs?: SQSClient;
    s3?: S3Client;
    dynamodb?: DynamoDBClient;
    fetch?: typeof fetch;
    metrics?: MetricsSink;
  } = {},
): RecognizerDeps {
  const sqs = overrides.sqs ?? new SQSClient({});
  const table = config.idempotencyTable;
  if (table === undefined) {
    logger.warn('FRS_IDEMPOTENCY_TABLE is not set: redelivered and retried jobs are answered again');
  }
  const idempotency =
    table === undefined
      ? undefined
      : {
          store: createDynamoIdempotencyStore({
            client: overrides.dynamodb ?? new DynamoDBClient({}),
            table,
            ttlSeconds: config.idempotencyTtlSeconds,
          }),
          inProgressSeconds: config.idempotencyInProgressSeconds,
        };
  const embedder = memoise(() => loadEmbedder({ modelsDir: config.modelsDir, logger }));
  const live = memoise(async () => {
    const model = await defaultGalleryModel();
    return createLiveMatcher({
      location: config.gallery,
      expected: model,
      threshold: config.matchThreshold ?? calibratedRule(model.id),
      candidates: config.resultCandidates,
      refreshSeconds: config.galleryRefreshSeconds,
      logger,
      // Only an s3:// gallery needs a client; creating it lazily keeps file galleries free of AWS config.
      ...(config.gallery.startsWith('s3://') ? { s3: overrides.s3 ?? new S3Client({}) } : {}),
      ...(overrides.fetch === undefined ? {} : { fetch: overrides.fetch }),
    });
  });
  return {
    logger,
    embedder,
    matcher: async () => (await live())(),
    decodeChip: decodeChipPng,
    metrics: overrides.metrics ?? createEmfSink({ namespace: config.metricsNamespace, service: SERVICE }),
    sendResult: createResultSender({
      sqs,
      responseQueueUrl: config.responseQueueUrl,
      cameraQueuePrefix: config.cameraQueuePrefix,
      logger,
    }),
    ...(idempotency === undefined ? {} : { idempotency }),
    timeMarginMs: config.timeMarginMs,
  };
}
