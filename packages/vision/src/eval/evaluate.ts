import { readFile } from 'node:fs/promises';
import type { Gallery, GalleryModel } from '../gallery/gallery.ts';
import { addEmbeddings, createGallery } from '../gallery/gallery.ts';
import {
  checkQuality,
  type FaceQuality,
  faceQuality,
  type QualityIssue,
  type QualityLimits,
} from '../gallery/quality.ts';
import type { Aggregation, Candidate } from '../match/matcher.ts';
import { createMatcher } from '../match/matcher.ts';
import type { Detection, Embedding, Point, RgbImage } from '../types.ts';
import type { PersonErrors, ScoredQuery, ThresholdPoint } from './metrics.ts';
import { atThreshold, perPersonErrors, rank1, thresholdForFar, thresholdGrid } from './metrics.ts';
import type { Split } from './protocol.ts';

/** The part of the face pipeline the evaluation needs: every face in an image with its embedding. */
export interface FaceAnalyzer {
  analyze(bytes: Uint8Array): Promise<{
    /** Image size, when known: lets a protocol pick the face nearest the centre. */
    width?: number;
    height?: number;
    /**
     * With `landmarks` and the aligned `chip` (or a ready `quality`), each face also gets its
     * {@link FaceQuality}, so a protocol can apply the enroller's quality rule.
     */
    faces: readonly {
      detection: Pick<Detection, 'box'> & { landmarks?: readonly Point[] };
      embedding: Embedding;
      chip?: RgbImage;
      quality?: FaceQuality;
    }[];
  }>;
}

/** One analysed face: its embedding, box area and (when recorded) box. */
export interface AnalyzedImageFace {
  area: number;
  box?: readonly [x1: number, y1: number, x2: number, y2: number];
  embedding: Embedding;
  /** Size, sharpness and pose, when the analyser gave landmarks and the chip. */
  quality?: FaceQuality;
}

/** One analysed image: its faces and (when known) size, or the error that stopped it. */
export interface AnalyzedImage {
  faces: AnalyzedImageFace[];
  width?: number;
  height?: number;
  error?: string;
}

/** Progress of a long evaluation step. */
export interface EvalProgress {
  phase: 'analyze';
  done: number;
  total: number;
  path: string;
}

/**
 * Runs the pipeline over every image once, sequentially (the pipeline already uses the cores). Unreadable or
 * undecodable images are recorded with no faces and the error message, never dropped silently.
 *
 * @example
 * ```ts
 * const images = await analyzeImages(pipeline, paths, { onProgress: (p) => bar.update(p.done, p.total) });
 * ```
 */
export async function analyzeImages(
  analyzer: FaceAnalyzer,
  paths: readonly string[],
  options: {
    onProgress?: (progress: EvalProgress) => void;
    read?: (path: string) => Promise<Uint8Array>;
  } = {},
): Promise<Map<string, AnalyzedImage>> {
  const read = options.read ?? ((path: string) => readFile(path));
  const out = new Map<string, AnalyzedImage>();
  let done = 0;
  for (const path of paths) {
    if (out.has(path)) continue;
    try {
      const result = await analyzer.analyze(await read(path));
      out.set(path, {
        faces: result.faces.map((f) => {
          const [x1, y1, x2, y2] = f.detection.box;
          const { landmarks } = f.detection;
          const quality =
            f.quality ??
            (landmarks !== undefined && f.chip !== undefined
              ? faceQuality({ landmarks }, f.chip)
              : undefined);
          return {
            area: Math.max(0, x2 - x1) * Math.max(0, y2 - y1),
            box: [x1, y1, x2, y2] as const,
            embedding: f.embedding,
            ...(quality === undefined ? {} : { quality }),
          };
        }),
        ...(result.width === undefined ? {} : { width: result.width }),
        ...(result.height === undefined ? {} : { height: result.height }),
      });
    } catch (error) {
      out.set(path, { faces: [], error: error instanceof Error ? error.message : String(error) });
    }
    done++;
    options.onProgress?.({ phase: 'analyze', done, total: paths.length, path });
  }
  return out;
}

/**
 * Missing enrolment: a photo in which no face was found, or whose face the enrolment quality rule refused
 * (as the enroller would), so the person has fewer vectors than K.
 */
export interface EnrolmentFailure {
  person: string;
  path: string;
  reason: 'no_face' | 'low_quality';
  /** With `low_quality`: what the face missed. */
  issues?: QualityIssue[];
}

/**
 * Builds the gallery from each enrolment photo's largest face and scores every query: per face a full
 * search, then the best over all faces in the image. With `enrolmentQuality` (the enroller's
 * `ENROLMENT_QUALITY`) a largest face that fails it is not enrolled, as the enroller would refuse it.
 *
 * @throws {RangeError} when `enrolmentQuality` is given and an enrolment face has no recorded quality.
 * @example
 * ```ts
 * const { scored } = scoreSplit(split, images, { id: 'mobilefacenet-sirius-192d', dimension: 192 });
 * ```
 */
export function scoreSplit(
  split: Split,
  images: ReadonlyMap<string, AnalyzedImage>,
  model: GalleryModel,
  aggregation: Aggregation = 'max',
  enrolmentQuality: QualityLimits | null = null,
): { gallery: Gallery; scored: ScoredQuery[]; enrolmentFailures: EnrolmentFailure[] } {
  let gallery = createGallery(model);
  const enrolmentFailures: EnrolmentFailure[] = [];
  for (const { person, images: paths } of split.enrol) {
    for (const path of paths) {
      const faces = images.get(path)?.faces ?? [];
      const largest = faces.reduce<(typeof faces)[number] | undefined>(
        (a, b) => (a === undefined || b.area > a.area ? b : a),
        undefined,
      );
      if (!largest) {
        enrolmentFailures.push({ person, path, reason: 'no_face' });
        continue;
      }
      if (enrolmentQuality !== null) {
        if (largest.quality === undefined) throw new RangeError(`${path}: no quality recorded; re-analyse`);
        const issues = checkQuality(largest.quality, enrolmentQuality);
        if (issues.length > 0) {
          enrolmentFailures.push({ person, path, reason: 'low_quality', issues });
          continue;
        }
      }
      gallery = addEmbeddings(gallery, person, [{ vector: largest.embedding.vector, source: path }], {
        modelId: largest.embedding.modelId,
        now: () => new Date(0),
      });
    }
  }
  const matcher = createMatcher(gallery);
  const scored = split.queries.map((query): ScoredQuery => {
    const faces = images.get(query.path)?.faces ?? [];
    const perPerson = new Map<string, number>();
    for (const face of faces) {
      for (const c of matcher.search(face.embedding, { topK: matcher.size, aggregation })) {
        perPerson.set(c.name, Math.max(perPerson.get(c.name) ?? Number.NEGATIVE_INFINITY, c.similarity));
      }
    }
    let best: Candidate | undefined;
    const impostorSimilarities: number[] = [];
    for (const [name, similarity] of perPerson) {
      if (best === undefined || similarity > best.similarity) best = { name, similarity };
      if (query.kind !== 'genuine' || name !== query.person) impostorSimilarities.push(similarity);
    }
    const truth =
      query.kind === 'genuine' && query.person !== undefined ? perPerson.get(query.person) : undefined;
    return {
      ...query,
      faces: faces.length,
      best,
      ...(truth === undefined ? {} : { truthSimilarity: truth }),
      impostorSimilarities,
    };
  });
  return { gallery, scored, enrolmentFailures };
}

/** Everything one evaluation run reports. */
export interface RecognitionReport {
  modelId: string;
  k: number;
  strangerFraction: number;
  seed: number;
  aggregation: Aggregation;
  counts: {
    enrolledPeople: number;
    strangers: number;
    genuineQueries: number;
    strangerQueries: number;
    negativeQueries: number;
    enrolmentFailures: number;
    imageErrors: number;
  };
  /** Threshold-free rank-1 over genuine queries. */
  rank1: number;
  /** The operating point at the chosen threshold (the calibrated default unless overridden). */
  operating: ThresholdPoint;
  sweep: ThresholdPoint[];
  targetFar: { target: number; threshold: number | undefined; point: ThresholdPoint | undefined };
  perPerson: PersonErrors[];
  enrolmentFailures: EnrolmentFailure[];
  imageErrors: { path: string; error: string }[];
  queries: ScoredQuery[];
}

/**
 * Summarises scored queries: rank-1, a threshold sweep, the operating point, the threshold for a target FAR
 * and per-person errors.
 *
 * @example
 * ```ts
 * const report = summarise(scored, { modelId, k: 1, strangerFraction: 0, seed: 1, threshold: 0.5, targetFar: 0.01 });
 * ```
 */
export function summarise(
  scored: ScoredQuery[],
  run: {
    modelId: string;
    k: number;
    strangerFraction: number;
    seed: number;
    aggregation?: Aggregation;
    threshold: number;
    targetFar: number;
    thresholds?: readonly number[];
    enrolmentFailures?: EnrolmentFailure[];
    images?: ReadonlyMap<string, AnalyzedImage>;
  },
): RecognitionReport {
  const count = (kind: ScoredQuery['kind']) => scored.filter((q) => q.kind === kind).length;
  const enrolled = new Set(scored.filter((q) => q.kind === 'genuine').map((q) => q.person));
  const strangers = new Set(scored.filter((q) => q.kind === 'stranger').map((q) => q.person));
  const target = thresholdForFar(scored, run.targetFar);
  const imageErrors = [...(run.images ?? new Map<string, AnalyzedImage>()).entries()].flatMap(
    ([path, image]) => (image.error === undefined ? [] : [{ path, error: image.error }]),
  );
  const enrolmentFailures = run.enrolmentFailures ?? [];
  return {
    modelId: run.modelId,
    k: run.k,
    strangerFraction: run.strangerFraction,
    seed: run.seed,
    aggregation: run.aggregation ?? 'max',
    counts: {
      enrolledPeople: enrolled.size,
      strangers: strangers.size,
      genuineQueries: count('genuine'),
      strangerQueries: count('stranger'),
      negativeQueries: count('negative'),
      enrolmentFailures: enrolmentFailures.length,
      imageErrors: imageErrors.length,
    },
    rank1: rank1(scored),
    operating: atThreshold(scored, run.threshold),
    sweep: (run.thresholds ?? thresholdGrid()).map((t) => atThreshold(scored, t)),
    targetFar: {
      target: run.targetFar,
      threshold: target,
      point: target === undefined ? undefined : atThreshold(scored, target),
    },
    perPerson: perPersonErrors(scored, run.threshold),
    enrolmentFailures,
    imageErrors,
    queries: scored,
  };
}
