import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { JsonLogger } from '@frs/contracts/logger';
import { memoise } from '@frs/contracts/memo';
import { loadManifest, type Manifest, modelsDir } from '@frs/models/manifest';
import { createEmbedder } from '@frs/vision/embed';
import { vectorCount } from '@frs/vision/gallery';
import { defaultThreshold } from '@frs/vision/match';
import type { Embedder, RecognizerDeps } from './app.ts';
import { decodeChipPng } from './chip.ts';
import type { RecognizerConfig } from './config.ts';
import { RecognizerConfigError } from './errors.ts';
import { galleryMatcher, loadGalleryFrom } from './gallery.ts';

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

/**
 * The real recognizer dependencies: the embedder (loaded once), the gallery from `FRS_GALLERY` (read
 * once) with the configured or calibrated threshold, and an SQS client.
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
  overrides: { sqs?: SQSClient; fetch?: typeof fetch } = {},
): RecognizerDeps {
  const sqs = overrides.sqs ?? new SQSClient({});
  const embedder = memoise(() => loadEmbedder({ modelsDir: config.modelsDir, logger }));
  const matcher = memoise(async () => {
    const model = await defaultEmbedderId();
    const gallery = await loadGalleryFrom(config.gallery, { id: model.id }, overrides.fetch);
    const threshold = config.matchThreshold ?? defaultThreshold(model.id);
    logger.info('gallery loaded', {
      people: gallery.people.length,
      vectors: vectorCount(gallery),
      threshold,
    });
    return galleryMatcher(gallery, threshold);
  });
  return {
    logger,
    embedder,
    matcher,
    decodeChip: decodeChipPng,
    async sendResult(body) {
      await sqs.send(new SendMessageCommand({ QueueUrl: config.responseQueueUrl, MessageBody: body }));
    },
  };
}
