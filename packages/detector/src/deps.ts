import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { JsonLogger } from '@frs/runtime/logger';
import { memoise } from '@frs/runtime/memo';
import { createEmfSink, type MetricsSink } from '@frs/runtime/metrics';
import { encodeChipPng } from '@frs/service/chip';
import { decodeFrame } from '@frs/service/image';
import { loadFaceFinder } from '@frs/service/models';
import type { DetectorDeps } from './app.ts';
import type { DetectorConfig } from './config.ts';
import { SERVICE } from './metrics.ts';

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
