import { S3Client } from '@aws-sdk/client-s3';
import { loadManifest, modelsDir } from '@frs/models/manifest';
import type { JsonLogger } from '@frs/runtime/logger';
import { memoise } from '@frs/runtime/memo';
import { createEmfSink, type MetricsSink } from '@frs/runtime/metrics';
import { embedLargestFace } from '@frs/service/enrol';
import type { RgbImage } from '@frs/service/types';
import { decodeImage } from '@frs/vision/image';
import { createFacePipeline, type FacePipeline } from '@frs/vision/pipeline';
import { createGalleryStore } from '@frs/vision/store';
import sharp from 'sharp';
import type { EnrollerDeps, FaceToEnrol } from './app.ts';
import type { EnrollerConfig } from './config.ts';
import { SERVICE } from './metrics.ts';

/**
 * Picks the largest face of an image and embeds it, with a JPEG of its aligned chip as the thumbnail
 * (the photo itself is never stored).
 *
 * @example
 * ```ts
 * const face = await largestFaceWith(pipeline, image); // undefined when the photo has no face
 * ```
 */
export async function largestFaceWith(
  pipeline: FacePipeline,
  image: RgbImage,
): Promise<FaceToEnrol | undefined> {
  const face = await embedLargestFace(pipeline, pipeline, image);
  if (face === undefined) return undefined;
  const { chip } = face;
  const thumbnail = await sharp(chip.data, { raw: { width: chip.width, height: chip.height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const [x1, y1, x2, y2] = chip.detection.box;
  return {
    vector: face.vector,
    box: [x1, y1, x2, y2],
    score: chip.detection.score,
    quality: face.quality,
    thumbnail: new Uint8Array(thumbnail.buffer, thumbnail.byteOffset, thumbnail.length),
  };
}

/**
 * The real enroller dependencies: the full vision pipeline (detection, alignment and the default embedder,
 * loaded once and retried if loading failed), the S3 gallery store (the client honours
 * `AWS_ENDPOINT_URL_S3` and `AWS_REGION`) and EMF metrics on stdout in the `FRS_METRICS_NAMESPACE` namespace.
 *
 * @example
 * ```ts
 * const deps = createEnrollerDeps(parseEnrollerConfig(process.env), logger);
 * export const handler = createHandler(deps);
 * ```
 */
export function createEnrollerDeps(
  config: EnrollerConfig,
  logger: JsonLogger,
  overrides: { s3?: S3Client; metrics?: MetricsSink } = {},
): EnrollerDeps & { pipeline(): Promise<FacePipeline> } {
  const s3 = overrides.s3 ?? new S3Client({});
  const pipeline = memoise(async () => {
    const started = performance.now();
    const loaded = await createFacePipeline({
      manifest: await loadManifest(),
      modelsDir: config.modelsDir ?? modelsDir(),
      logger,
      detect: { minFaceSize: config.minFaceSize },
    });
    logger.info('models loaded', { ms: Math.round(performance.now() - started), models: loaded.models });
    return loaded;
  });
  const store = memoise(async () => {
    const { embedder } = await pipeline();
    return createGalleryStore({
      s3,
      location: config.store,
      model: { id: embedder.modelId, dimension: embedder.dimension },
      logger,
    });
  });
  return {
    config,
    logger,
    decodeImage,
    largestFace: async (image) => largestFaceWith(await pipeline(), image),
    store,
    metrics: overrides.metrics ?? createEmfSink({ namespace: config.metricsNamespace, service: SERVICE }),
    pipeline,
  };
}
