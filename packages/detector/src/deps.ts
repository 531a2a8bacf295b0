import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadManifest, modelsDir } from '@frs/models/manifest';
import type { JsonLogger } from '@frs/runtime/logger';
import { memoise } from '@frs/runtime/memo';
import { createFaceFinder } from '@frs/vision/pipeline';
import type { DetectorDeps, FaceFinder } from './app.ts';
import type { DetectorConfig } from './config.ts';
import { decodeFrame, encodeChipPng } from './image.ts';
import { createEmfSink, type MetricsSink, SERVICE } from './metrics.ts';

/**
 * Loads the vision pipeline for detection and alignment (the slow part of a cold start).
 *
 * @example
 * ```ts
 * const finder = await loadFaceFinder({ modelsDir: undefined, minFaceSize: 20, logger });
 * const faces = await finder.detectAndAlign(image);
 * ```
 */
export async function loadFaceFinder(options: {
  modelsDir: string | undefined;
  minFaceSize: number;
  logger: JsonLogger;
}): Promise<FaceFinder> {
  const started = performance.now();
  // Only MTCNN: the embedder's chip geometry comes from the manifest, its session stays in the recognizer.
  const pipeline = await createFaceFinder({
    manifest: await loadManifest(),
    modelsDir: options.modelsDir ?? modelsDir(),
    logger: options.logger,
    detect: { minFaceSize: options.minFaceSize },
  });
  options.logger.info('models loaded', {
    ms: Math.round(performance.now() - started),
    models: pipeline.models,
  });
  return {
    models: { detector: pipeline.models.detector, embedder: pipeline.models.embedder },
    chipSize: pipeline.chipSize,
    detectAndAlign: (image) => pipeline.detectAndAlign(image),
  };
}

/**
 * The real detector dependencies: the vision pipeline (loaded once, retried if loading failed), sharp
 * for chips, an SQS client (which honours `AWS_ENDPOINT_URL_SQS` and `AWS_REGION`) and EMF metrics on
 * stdout in the `FRS_METRICS_NAMESPACE` namespace.
 *
 * @example
 * ```ts
 * const deps = createDetectorDeps(parseDetectorConfig(process.env), logger);
 * export const handler = createHandler(deps);
 * ```
 */
export function createDetectorDeps(
  config: DetectorConfig,
  logger: JsonLogger,
  overrides: { sqs?: SQSClient; metrics?: MetricsSink } = {},
): DetectorDeps {
  const sqs = overrides.sqs ?? new SQSClient({});
  const faceFinder = memoise(() =>
    loadFaceFinder({ modelsDir: config.modelsDir, minFaceSize: config.minFaceSize, logger }),
  );
  return {
    config,
    logger,
    decodeFrame,
    faceFinder,
    encodeChip: encodeChipPng,
    metrics: overrides.metrics ?? createEmfSink({ namespace: config.metricsNamespace, service: SERVICE }),
    async sendJob(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: config.requestQueueUrl, MessageBody: body }));
    },
  };
}
