import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startConsole } from '@frs/console/server';
// Each function is hosted through its package's public hosting API (config, deps, createHandler), as the
// Lambda runtime hosts it through handler.ts; the pipeline itself is @frs/service.
import {
  createDetectorDeps,
  createHandler as createDetectorHandler,
  parseDetectorConfig,
} from '@frs/detector';
import {
  createEnrollerDeps,
  createHandler as createEnrollerHandler,
  parseEnrollerConfig,
} from '@frs/enroller';
import {
  createIdempotencyTable,
  createRecognizerDeps,
  createHandler as createRecognizerHandler,
  parseRecognizerConfig,
} from '@frs/recognizer';
import type { JsonLogger } from '@frs/runtime/logger';
import { startLocalDynamo } from './dynamodb.ts';
import { createEventSourceMapping, type EventSourceMapping, type SqsHandler } from './event-source.ts';
import { type FunctionUrlServer, serveFunctionUrl } from './function-url.ts';
import { type LocalQueues, startLocalQueues } from './queues.ts';

/** Bucket and key prefix of the managed gallery in the local S3. */
export const GALLERY_BUCKET = 'frs-gallery';
const GALLERY_PREFIX = 'gallery/';

// Lambda writes EMF lines to CloudWatch; on a terminal one JSON line per frame is only noise.
const NO_METRICS = { emit: () => undefined };

/** Options of {@link startLocalStack}; every field has the `pnpm start` default. */
export interface LocalStackOptions {
  logger: JsonLogger;
  /** Function URL port (`FRS_PORT`, default 8080; 0 = any free port). */
  port?: number;
  /** SQS port (`FRS_SQS_PORT`, default 9324; 0 = any free port). */
  sqsPort?: number;
  /** Queue name prefix (`FRS_QUEUE_PREFIX`, default `frs`). */
  prefix?: string;
  /**
   * A fixed gallery (`FRS_GALLERY`: a file or URL) instead of the managed one; the enroller is then not
   * served, since what it changed would never be recognised.
   */
  gallery?: string | undefined;
  /** Where the managed gallery's S3 objects are kept (`FRS_DATA_DIR`/s3); unset = in memory only. */
  dataDir?: string | undefined;
  /** Enroller port (`FRS_ENROL_PORT`, 8081 under `pnpm start`; 0 = any free port; unset = no enroller). */
  enrolPort?: number | undefined;
  /** Seconds between the recognizer's conditional reads of the managed gallery (default 10). */
  galleryRefreshSeconds?: number;
  matchThreshold?: number | undefined;
  modelsDir?: string | undefined;
  /** Detector environment beyond the queue URL (`FRS_MAX_FACES`, `FRS_MIN_FACE_SIZE`, …). */
  detectorEnv?: Record<string, string | undefined>;
  requestVisibilitySeconds?: number;
  maxReceiveCount?: number;
  responseVisibilitySeconds?: number;
  batchSize?: number;
  batchingWindowSeconds?: number;
  /** Long-poll wait of the recognizer's poller (default 2 s, which bounds how long a stop takes). */
  waitTimeSeconds?: number;
  /** Web console port (`FRS_CONSOLE_PORT`, 8082 under `pnpm start`; 0 = any free port; unset = no console). */
  consolePort?: number | undefined;
  /**
   * Cameras that get their own response queue (`FRS_CAMERA_IDS`): the recognizer sends a result whose
   * request has one of these `camera_id`s to that queue; other results stay on the shared queue.
   */
  cameraIds?: readonly string[];
  /** How long the recognizer remembers an answered job (default 3600 s). */
  idempotencyTtlSeconds?: number;
  /** Where the functions' metrics go (default: nowhere; on AWS they are EMF lines for CloudWatch). */
  metrics?: { emit(record: unknown): void };
  /** Lets tests put faults around the real recognizer (a crash mid-batch, say). */
  wrapRecognizer?: (handler: SqsHandler) => SqsHandler;
}

/** A running local stack. */
export interface LocalStack {
  functionUrl: string;
  /** The enroller's URL, when the managed gallery is in use and `enrolPort` was given. */
  enrolUrl?: string;
  sqsEndpoint: string;
  /** The local S3 (same server as SQS). */
  s3Endpoint: string;
  /** The local DynamoDB (dynalite, in memory) holding the recognizer's idempotency table. */
  dynamodbEndpoint: string;
  /** Name of the idempotency table (`<prefix>-idempotency`). */
  idempotencyTable: string;
  requestQueueUrl: string;
  requestDlqUrl: string;
  responseQueueUrl: string;
  responseDlqUrl: string;
  /** The per-camera response queues (from `cameraIds`), by camera id. */
  cameraQueueUrls: Record<string, string>;
  /** The web console, when `consolePort` was given. */
  consoleUrl?: string;
  /** Human-readable gallery description for the ready line. */
  galleryNote: string;
  /** The event source mapping; stop and start it to simulate a recognizer outage. */
  recognizer: EventSourceMapping;
  queues: LocalQueues;
  stop(): Promise<void>;
}

/**
 * Starts the whole service on this machine: fauxqs SQS with the request queue (+ DLQ) and response queue,
 * fauxqs S3 with the managed gallery, dynalite DynamoDB with the recognizer's idempotency table, the
 * detector and the enroller behind Function URL-compatible HTTP servers, and the recognizer behind an
 * event source mapping poller (sending to per-camera response queues for `cameraIds`) — the real handlers
 * and models, only
 * AWS replaced.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ logger, gallery: 'gallery.json' });
 * console.log(stack.functionUrl, stack.requestQueueUrl, stack.responseQueueUrl);
 * await stack.stop();
 * ```
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { logger } = options;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const queues = await startLocalQueues({
      port: options.sqsPort ?? 9324,
      prefix: options.prefix ?? 'frs',
      requestVisibilitySeconds: options.requestVisibilitySeconds ?? 10,
      maxReceiveCount: options.maxReceiveCount ?? 3,
      responseVisibilitySeconds: options.responseVisibilitySeconds ?? 2,
      s3DataDir: options.dataDir === undefined ? undefined : join(options.dataDir, 's3'),
      buckets: [GALLERY_BUCKET],
      cameraIds: options.cameraIds ?? [],
    });
    cleanups.push(() => queues.stop());
    // Any credentials work with fauxqs; fixed ones keep the stack independent of the user's AWS setup.
    const sqs = new SQSClient({
      endpoint: queues.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    cleanups.push(async () => sqs.destroy());
    const s3 = new S3Client({
      endpoint: queues.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    cleanups.push(async () => s3.destroy());
    // The recognizer deduplicates against a real DynamoDB API here too, so redeliveries behave as on AWS.
    const dynamo = await startLocalDynamo();
    cleanups.push(() => dynamo.stop());
    const idempotencyTable = `${options.prefix ?? 'frs'}-idempotency`;
    await createIdempotencyTable(dynamo.client, idempotencyTable);

    const managed = options.gallery === undefined;
    const gallery = options.gallery ?? `s3://${GALLERY_BUCKET}/${GALLERY_PREFIX}snapshot.json`;
    const galleryNote = managed
      ? `managed gallery ${options.dataDir === undefined ? 'in memory' : `in ${options.dataDir}`}`
      : `gallery ${gallery}`;

    const modelsEnv = options.modelsDir === undefined ? {} : { FRS_MODELS_DIR: options.modelsDir };
    const detectorConfig = parseDetectorConfig({
      ...options.detectorEnv,
      ...modelsEnv,
      FRS_REQUEST_QUEUE_URL: queues.requestQueueUrl,
    });
    const recognizerConfig = parseRecognizerConfig({
      ...modelsEnv,
      FRS_RESPONSE_QUEUE_URL: queues.responseQueueUrl,
      // Only with camera queues: otherwise every camera_id would cost a failed send before the fallback.
      ...(Object.keys(queues.cameraQueueUrls).length === 0
        ? {}
        : { FRS_CAMERA_QUEUE_PREFIX: queues.cameraQueuePrefix }),
      FRS_GALLERY: gallery,
      FRS_GALLERY_REFRESH_SECONDS: String(options.galleryRefreshSeconds ?? 10),
      FRS_IDEMPOTENCY_TABLE: idempotencyTable,
      FRS_IDEMPOTENCY_TTL_SECONDS: String(options.idempotencyTtlSeconds ?? 3600),
      // A crashed batch's claims must have expired by the time its records are visible again (expiry is
      // checked in whole seconds, so a claim can outlive its TTL by up to 1 s).
      FRS_IDEMPOTENCY_IN_PROGRESS_SECONDS: String(Math.max(1, (options.requestVisibilitySeconds ?? 10) - 1)),
      ...(options.matchThreshold === undefined
        ? {}
        : { FRS_MATCH_THRESHOLD: String(options.matchThreshold) }),
    });
    const detectorDeps = createDetectorDeps(detectorConfig, logger.child({ service: 'frs-detector' }), {
      sqs,
      metrics: options.metrics ?? NO_METRICS,
    });
    const recognizerDeps = createRecognizerDeps(
      recognizerConfig,
      logger.child({ service: 'frs-recognizer' }),
      { sqs, s3, dynamodb: dynamo.client, metrics: options.metrics ?? NO_METRICS },
    );
    const enrollerDeps =
      managed && options.enrolPort !== undefined
        ? createEnrollerDeps(
            parseEnrollerConfig({
              ...options.detectorEnv,
              ...modelsEnv,
              FRS_GALLERY_STORE: `s3://${GALLERY_BUCKET}/${GALLERY_PREFIX}`,
            }),
            logger.child({ service: 'frs-enroller' }),
            { s3, metrics: options.metrics ?? NO_METRICS },
          )
        : undefined;
    // Load models and the gallery before announcing readiness, so the first frame is not a cold start.
    await Promise.all([
      detectorDeps.faceFinder(),
      recognizerDeps.embedder(),
      recognizerDeps.matcher(),
      enrollerDeps?.pipeline(),
    ]);

    const fn: FunctionUrlServer = await serveFunctionUrl(createDetectorHandler(detectorDeps), {
      host: '127.0.0.1',
      port: options.port ?? 8080,
      maxBodyBytes: detectorConfig.maxBodyBytes,
      logger,
    });
    cleanups.push(() => fn.close());

    let enrolUrl: string | undefined;
    if (enrollerDeps !== undefined) {
      const enroller = await serveFunctionUrl(createEnrollerHandler(enrollerDeps), {
        host: '127.0.0.1',
        port: options.enrolPort ?? 8081,
        maxBodyBytes: detectorConfig.maxBodyBytes,
        logger,
      });
      cleanups.push(() => enroller.close());
      enrolUrl = enroller.url;
    }

    const recognizerHandler = createRecognizerHandler(recognizerDeps);
    const recognizer = createEventSourceMapping(
      options.wrapRecognizer?.(recognizerHandler) ?? recognizerHandler,
      {
        sqs,
        queueUrl: queues.requestQueueUrl,
        queueArn: queues.requestQueueArn,
        batchSize: Math.min(10, options.batchSize ?? 10),
        batchingWindowSeconds: options.batchingWindowSeconds ?? 0,
        waitTimeSeconds: options.waitTimeSeconds ?? 2,
        logger,
      },
    );
    recognizer.start();
    cleanups.push(() => recognizer.stop());

    let consoleUrl: string | undefined;
    if (options.consolePort !== undefined) {
      const web = await startConsole({
        detectorUrl: fn.url,
        enrolUrl,
        responseQueueUrl: queues.responseQueueUrl,
        requestQueueUrl: queues.requestQueueUrl,
        sqs,
        port: options.consolePort,
        logger: logger.child({ service: 'frs-console' }),
      });
      cleanups.push(() => web.close());
      consoleUrl = web.url;
    }

    const stop = async (): Promise<void> => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    };
    return {
      functionUrl: fn.url,
      ...(enrolUrl === undefined ? {} : { enrolUrl }),
      sqsEndpoint: queues.endpoint,
      s3Endpoint: queues.s3Endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      idempotencyTable,
      requestQueueUrl: queues.requestQueueUrl,
      requestDlqUrl: queues.requestDlqUrl,
      responseQueueUrl: queues.responseQueueUrl,
      responseDlqUrl: queues.responseDlqUrl,
      cameraQueueUrls: queues.cameraQueueUrls,
      ...(consoleUrl === undefined ? {} : { consoleUrl }),
      galleryNote,
      recognizer,
      queues,
      stop,
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}
