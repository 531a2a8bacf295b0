import type { GalleryModel } from '../gallery/gallery.ts';
import type { QualityLimits } from '../gallery/quality.ts';
import type { Aggregation } from '../match/matcher.ts';
import { listDataset, listImages } from './dataset.ts';
import type { AnalyzedImage, EvalProgress, FaceAnalyzer, RecognitionReport } from './evaluate.ts';
import { analyzeImages, scoreSplit, summarise } from './evaluate.ts';
import { splitDataset } from './protocol.ts';

/** Options of {@link evaluateRecognition}. */
export interface EvaluateOptions {
  analyzer: FaceAnalyzer;
  /** The embedder the analyzer uses; the gallery is built for it. */
  model: GalleryModel;
  /** `<dir>/<Person>/*` images. */
  dir: string;
  /** Optional folder of images that must produce no name (e.g. photos without faces). */
  negativesDir?: string;
  /** Enrolled photos per person. Default 1. */
  k?: number;
  strangerFraction?: number;
  seed?: number;
  aggregation?: Aggregation;
  /**
   * The enroller's photo-quality rule (`ENROLMENT_QUALITY`), applied to enrolment photos as the enroller
   * does; `null` (default) enrols every photo with a face. The analyzer must then give landmarks and chips.
   */
  enrolmentQuality?: QualityLimits | null;
  /** Operating threshold to report per-person errors at. */
  threshold: number;
  /** Default 0.01. */
  targetFar?: number;
  thresholds?: readonly number[];
  onProgress?: (progress: EvalProgress) => void;
  /** Analyses already computed (e.g. for another K); only missing images are analysed. */
  cache?: Map<string, AnalyzedImage>;
}

/**
 * The whole recognition evaluation: list the dataset, split it by the protocol, run every image through the
 * face pipeline once, enrol, search, and summarise.
 *
 * @example
 * ```ts
 * const report = await evaluateRecognition({
 *   analyzer: pipeline,
 *   model: { id: 'mobilefacenet-sirius-192d', dimension: 192 },
 *   dir: 'faces/identities',
 *   negativesDir: 'faces/other/no-face',
 *   threshold: defaultThreshold('mobilefacenet-sirius-192d'),
 * });
 * console.log(report.rank1, report.operating.top1);
 * ```
 */
export async function evaluateRecognition(options: EvaluateOptions): Promise<RecognitionReport> {
  const k = options.k ?? 1;
  const strangerFraction = options.strangerFraction ?? 0;
  const seed = options.seed ?? 1;
  const people = await listDataset(options.dir);
  const negatives = options.negativesDir === undefined ? [] : await listImages(options.negativesDir);
  const split = splitDataset(people, { k, strangerFraction, seed }, negatives);
  const cache = options.cache ?? new Map<string, AnalyzedImage>();
  const paths = [...split.enrol.flatMap((e) => e.images), ...split.queries.map((q) => q.path)];
  const missing = paths.filter((p) => !cache.has(p));
  const fresh = await analyzeImages(options.analyzer, missing, {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  for (const [path, image] of fresh) cache.set(path, image);
  const aggregation = options.aggregation ?? 'max';
  const { scored, enrolmentFailures } = scoreSplit(
    split,
    cache,
    options.model,
    aggregation,
    options.enrolmentQuality ?? null,
  );
  return summarise(scored, {
    modelId: options.model.id,
    k,
    strangerFraction,
    seed,
    aggregation,
    threshold: options.threshold,
    targetFar: options.targetFar ?? 0.01,
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
    enrolmentFailures,
    images: new Map(paths.map((p) => [p, cache.get(p) ?? { faces: [] }])),
  });
}
