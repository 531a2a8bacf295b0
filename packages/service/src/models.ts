import { loadManifest, modelsDir } from '@frs/models/manifest';
import type { JsonLogger } from '@frs/runtime/logger';
import { DEFAULT_MIN_FACE_SIZE } from '@frs/vision/detect';
import { createEmbedder, embedderSpec } from '@frs/vision/embed';
import type { GalleryModel } from '@frs/vision/gallery';
import { createFaceFinder } from '@frs/vision/pipeline';
import type { EmbedderPort, FaceFinderPort } from './types.ts';

/**
 * The model a new gallery must be built for: the manifest's default embedder (`defaultModel`), with its
 * dimension.
 *
 * @example
 * ```ts
 * const gallery = createGallery(await defaultGalleryModel()); // { id: 'mobilefacenet-sirius-192d', dimension: 192 }
 * ```
 */
export async function defaultGalleryModel(): Promise<GalleryModel> {
  const spec = embedderSpec(await loadManifest());
  return { id: spec.modelId, dimension: spec.dimension };
}

/**
 * Loads the detector half of the vision pipeline (MTCNN, chips cut for the default embedder without
 * loading it): the slow part of the detector's cold start.
 *
 * @example
 * ```ts
 * const finder = await loadFaceFinder({ modelsDir: undefined, minFaceSize: DEFAULT_MIN_FACE_SIZE, logger });
 * const faces = await finder.detectAndAlign(bytes);
 * ```
 */
export async function loadFaceFinder(options: {
  modelsDir: string | undefined;
  minFaceSize?: number;
  logger: JsonLogger;
}): Promise<FaceFinderPort> {
  const started = performance.now();
  // Only MTCNN: the embedder's chip geometry comes from the manifest, its session stays in the recognizer.
  const pipeline = await createFaceFinder({
    manifest: await loadManifest(),
    modelsDir: options.modelsDir ?? modelsDir(),
    logger: options.logger,
    detect: { minFaceSize: options.minFaceSize ?? DEFAULT_MIN_FACE_SIZE },
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
 * Loads the default embedder of the vision pipeline (the recognizer's half).
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
}): Promise<EmbedderPort> {
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
  const [width, height] = embedder.inputSize;
  return {
    modelId: embedder.modelId,
    chipSize: { width, height },
    embed: (chips) => embedder.embed(chips),
  };
}
