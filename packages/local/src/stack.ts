import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startConsole } from '@frs/console/server';
import type { JsonLogger } from '@frs/contracts/logger';
import { createHandler as createDetectorHandler } from '@frs/detector/app';
import { parseDetectorConfig } from '@frs/detector/config';
import { createDetectorDeps } from '@frs/detector/deps';
import { createHandler as createRecognizerHandler } from '@frs/recognizer/app';
import { parseRecognizerConfig } from '@frs/recognizer/config';
import { createRecognizerDeps, defaultEmbedderId } from '@frs/recognizer/deps';
import { createGallery, serializeGallery } from '@frs/vision/gallery';
import { createEventSourceMapping, type EventSourceMapping, type SqsHandler } from './event-source.ts';
import { type FunctionUrlServer, serveFunctionUrl } from './function-url.ts';
import { type LocalQueues, startLocalQueues } from './queues.ts';

/** Options of {@link startLocalStack}; every field has the `pnpm start` default. */
export interface LocalStackOptions {
  logger: JsonLogger;
  /** Function URL port (`FRS_PORT`, default 8080; 0 = any free port). */
  port?: number;
  /** SQS port (`FRS_SQS_PORT`, default 9324; 0 = any free port). */
  sqsPort?: number;
  /** Queue name prefix (`FRS_QUEUE_PREFIX`, default `frs`). */
  prefix?: string;
  /** Gallery location (`FRS_GALLERY`); unset = start with an empty gallery, every face `unknown`. */
  gallery?: string | undefined;
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
  /** Lets tests put faults around the real recognizer (a crash mid-batch, say). */
  wrapRecognizer?: (handler: SqsHandler) => SqsHandler;
}

/** A running local stack. */
export interface LocalStack {
  functionUrl: string;
  sqsEndpoint: string;
  requestQueueUrl: string;
  requestDlqUrl: string;
  responseQueueUrl: string;
  responseDlqUrl: string;
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
 * the detector behind a Function URL-compatible HTTP server, and the recognizer behind an event source
 * mapping poller — the real handlers and models, only AWS replaced.
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
    });
    cleanups.push(() => queues.stop());
    // Any credentials work with fauxqs; fixed ones keep the stack independent of the user's AWS setup.
    const sqs = new SQSClient({
      endpoint: queues.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    cleanups.push(async () => sqs.destroy());

    let gallery = options.gallery;
    let galleryNote = `gallery ${gallery}`;
    if (gallery === undefined) {
      const dir = await mkdtemp(join(tmpdir(), 'frs-gallery-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const embedder = await defaultEmbedderId();
      gallery = join(dir, 'empty-gallery.json');
      await writeFile(gallery, serializeGallery(createGallery(embedder)));
      galleryNote =
        'EMPTY gallery (every face is "unknown"; enrol with `pnpm frs enroll <dir> --gallery g.json`, then FRS_GALLERY=g.json pnpm start)';
    }

    const modelsEnv = options.modelsDir === undefined ? {} : { FRS_MODELS_DIR: options.modelsDir };
    const detectorConfig = parseDetectorConfig({
      ...options.detectorEnv,
      ...modelsEnv,
      FRS_REQUEST_QUEUE_URL: queues.requestQueueUrl,
    });
    const recognizerConfig = parseRecognizerConfig({
      ...modelsEnv,
      FRS_RESPONSE_QUEUE_URL: queues.responseQueueUrl,
      FRS_GALLERY: gallery,
      ...(options.matchThreshold === undefined
        ? {}
        : { FRS_MATCH_THRESHOLD: String(options.matchThreshold) }),
    });
    const detectorDeps = createDetectorDeps(detectorConfig, logger.child({ service: 'frs-detector' }), {
      sqs,
    });
    const recognizerDeps = createRecognizerDeps(
      recognizerConfig,
      logger.child({ service: 'frs-recognizer' }),
      {
        sqs,
      },
    );
    // Load models and the gallery before announcing readiness, so the first frame is not a cold start.
    await Promise.all([detectorDeps.faceFinder(), recognizerDeps.embedder(), recognizerDeps.matcher()]);

    const fn: FunctionUrlServer = await serveFunctionUrl(createDetectorHandler(detectorDeps), {
      host: '127.0.0.1',
      port: options.port ?? 8080,
      maxBodyBytes: detectorConfig.maxBodyBytes,
      logger,
    });
    cleanups.push(() => fn.close());

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
      sqsEndpoint: queues.endpoint,
      requestQueueUrl: queues.requestQueueUrl,
      requestDlqUrl: queues.requestDlqUrl,
      responseQueueUrl: queues.responseQueueUrl,
      responseDlqUrl: queues.responseDlqUrl,
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
