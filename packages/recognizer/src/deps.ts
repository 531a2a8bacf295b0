import { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { JsonLogger } from '@frs/contracts/logger';
import { memoise } from '@frs/contracts/memo';
import { loadManifest, type Manifest, modelsDir } from '@frs/models/manifest';
import { createEmbedder } from '@frs/vision/embed';
import { defaultThreshold, galleryThreshold } from '@frs/vision/match';
import type { Embedder, RecognizerDeps } from './app.ts';
import { decodeChipPng } from './chip.ts';
import type { RecognizerConfig } from './config.ts';
import { RecognizerConfigError } from './errors.ts';
import { createLiveMatcher } from './gallery.ts';

function embedderEntry(manifest: Manifest) {
  const embedders = manifest.models.filter((m) => m.role === 'embedder');
  const entry = embedders.find((m) => m.default) ?? embedders[0];
  if (entry === undefined) throw new RecognizerConfigError('the model manifest has no embedder');
  return entry;
}

/**
 * Id of the default embedder in the model manifest (what a new gallery must be built for).
 *
 * @example
 * ```ts
 * const gallery = createGallery(await defaultEmbedderId());
 * ```
 */
export async function defaultEmbedderId(): Promise<{ id: string; dimension: number }> {
  const entry = embedderEntry(await loadManifest());
  const dimension = entry.embedding?.dimension;
  if (dimension === undefined) throw new RecognizerConfigError(`embedder ${entry.id} declares no dimension`);
  return { id: entry.id, dimension };
}

/**
 * Loads the embedder of the vision pipeline.
 *
 * @example
 * ```ts
 * const embedder = await loadEmbedder({ modelsDir: undefined, logger });
 * const [embedding] = await embedder.embed([chip]);
 * ```
 */
export async function loadEmbedder(options: {
  modelsDir: string | undefined;
  logger: JsonLogger;
}): Promise<Embedder> {
  const started = performance.now();
  // Only the embedder: detection happened in the detector Lambda.
  const embedder = await createEmbedder({
    manifest: await loadManifest(),
    modelsDir: options.modelsDir ?? modelsDir(),
    logger: options.logger,
  });
  options.logger.info('embedder loaded', {
    ms: Math.round(performance.now() - started),
    model: embedder.modelId,
  });
  return { modelId: embedder.modelId, embed: (chips) => embedder.embed(chips) };
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
 * or the calibrated one for the gallery's size, and SQS and S3 clients (which honour `AWS_ENDPOINT_URL_SQS`/`_S3`
 * and `AWS_REGION`).
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
  overrides: { sqs?: SQSClient; s3?: S3Client; fetch?: typeof fetch } = {},
): RecognizerDeps {
  const sqs = overrides.sqs ?? new SQSClient({});
  const embedder = memoise(() => loadEmbedder({ modelsDir: config.modelsDir, logger }));
  const live = memoise(async () => {
    const model = await defaultEmbedderId();
    return createLiveMatcher({
      location: config.gallery,
      expected: model,
      threshold: config.matchThreshold ?? calibratedRule(model.id),
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
    async sendResult(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: config.responseQueueUrl, MessageBody: body }));
    },
  };
}
