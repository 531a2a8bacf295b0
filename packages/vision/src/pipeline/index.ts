import {
  type Alignment,
  modelsDir as defaultModelsDir,
  loadManifest,
  type Manifest,
} from '@frs/models/manifest';
import { type AlignOptions, alignFace, similarityTransform } from '../align/index.ts';
import { createDetector, type DetectOptions, type Detector, WORKING_MAX_PIXELS } from '../detect/index.ts';
import { createEmbedder, type Embedder, type EmbedOptions, embedderSpec } from '../embed/index.ts';
import {
  decodeImageRegion,
  decodeImageWithin,
  type ImageLimits,
  type ReducedImage,
  type Region,
} from '../image/index.ts';
import { ModelRunError } from '../onnx/index.ts';
import type { Detection, Embedding, FaceChip, Logger, Point, RgbImage } from '../types.ts';

/** Options for {@link createFacePipeline}; everything but the manifest location has a default. */
export interface FacePipelineOptions {
  /** Default: `loadManifest()` from `@frs/models`. */
  manifest?: Manifest;
  /** Default: `modelsDir()` from `@frs/models` (`FRS_MODELS_DIR` or the package's `onnx/`). */
  modelsDir?: string;
  /** Embedder manifest id; default: the manifest's default embedder. */
  embedderId?: string;
  logger?: Logger;
  /** Detection defaults (min face size, thresholds, max faces, edge mode). */
  detect?: DetectOptions;
  align?: AlignOptions;
  embed?: EmbedOptions;
  /** Limits for byte input. */
  imageLimits?: ImageLimits;
  /** Verify model sha256 against the manifest. Default true; false only for development files. */
  verifyChecksums?: boolean;
  intraOpNumThreads?: number;
  /** See `LoadModelOptions.allowSpinning` (default false). */
  allowSpinning?: boolean;
}

/** Milliseconds spent per stage of one {@link FacePipeline.analyze} call. */
export interface StageTimings {
  decode: number;
  detect: number;
  align: number;
  embed: number;
  total: number;
}

/** One analysed face. */
export interface AnalyzedFace {
  detection: Detection;
  chip: FaceChip;
  embedding: Embedding;
}

/** Result of {@link FacePipeline.analyze}. */
export interface Analysis {
  width: number;
  height: number;
  faces: AnalyzedFace[];
  timings: StageTimings;
}

/**
 * Decode → detect → align: the detector half of the pipeline. It loads only MTCNN; the embedder's chip
 * geometry comes from its manifest entry.
 */
export interface FaceFinder {
  readonly detector: Detector;
  /** Model ids in use (`detector` joins the P/R/O-Net ids with `+`). */
  readonly models: { detector: string; embedder: string };
  /** Size of the chips `detectAndAlign` returns (the embedder's input). */
  readonly chipSize: { width: number; height: number };
  readonly alignment: Alignment;
  /**
   * Detects faces (highest score first) and cuts the embedder's chip for each. Bytes above the detector's
   * working budget are decoded reduced (the full-resolution image is never held; see
   * {@link detectReduced}), so passing bytes rather than a decoded image bounds memory on large photos.
   */
  detectAndAlign(input: Uint8Array | RgbImage, options?: DetectOptions): Promise<FaceChip[]>;
}

/** Decode → detect → align → embed, with models loaded once. What the CLI and other services call. */
export interface FacePipeline extends FaceFinder {
  readonly embedder: Embedder;
  /** L2-normalised embeddings of chips from `detectAndAlign` (or any RGB images of `chipSize`). */
  embed(chips: readonly RgbImage[]): Promise<Embedding[]>;
  /** Everything for one frame, with per-stage timings. */
  analyze(input: Uint8Array | RgbImage, options?: DetectOptions): Promise<Analysis>;
}

const isImage = (input: Uint8Array | RgbImage): input is RgbImage => !(input instanceof Uint8Array);

/** Detection and chips of one frame; bytes above the working budget go through {@link detectReduced}. */
type FindFaces = (
  input: Uint8Array | RgbImage,
  options: DetectOptions | undefined,
) => Promise<{
  width: number;
  height: number;
  chips: FaceChip[];
  ms: { decode: number; detect: number; align: number };
}>;

function faceFinderFn(
  detector: Detector,
  alignment: Alignment,
  alignOptions: AlignOptions,
  limits: ImageLimits,
): FindFaces {
  return async (input, options) => {
    const t0 = performance.now();
    let image: RgbImage;
    if (isImage(input)) {
      image = input;
    } else {
      const reduced = await decodeImageWithin(input, WORKING_MAX_PIXELS, limits);
      if (reduced.image.width !== reduced.width || reduced.image.height !== reduced.height) {
        const decode = performance.now() - t0;
        const r = await detectReduced(input, reduced, detector, alignment, alignOptions, limits, options);
        const ms = { decode, detect: r.detectMs, align: r.alignMs };
        return { width: reduced.width, height: reduced.height, chips: r.chips, ms };
      }
      image = reduced.image;
    }
    const t1 = performance.now();
    const detections = await detector.detect(image, options);
    const t2 = performance.now();
    const chips = detections.map((d) => alignFace(image, d, alignment, alignOptions));
    const ms = { decode: t1 - t0, detect: t2 - t1, align: performance.now() - t2 };
    return { width: image.width, height: image.height, chips, ms };
  };
}

type Shared = Pick<
  FacePipelineOptions,
  'logger' | 'verifyChecksums' | 'intraOpNumThreads' | 'allowSpinning'
> & {
  manifest: Manifest;
  modelsDir: string;
};

async function shared(options: FacePipelineOptions): Promise<Shared> {
  return {
    manifest: options.manifest ?? (await loadManifest()),
    modelsDir: options.modelsDir ?? defaultModelsDir(),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.verifyChecksums === undefined ? {} : { verifyChecksums: options.verifyChecksums }),
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    ...(options.allowSpinning === undefined ? {} : { allowSpinning: options.allowSpinning }),
  };
}

/** Where a chip samples its source: the inverse warp of its corners plus the bilinear neighbour. */
function chipFootprint(d: Detection, alignment: Alignment, width: number, height: number) {
  const [cw, ch] = alignment.size;
  let corners: Point[];
  let scale: number;
  if (alignment.kind === 'similarity5') {
    const t = similarityTransform(
      d.landmarks,
      alignment.template.map(([x, y]): Point => [x, y]),
    );
    const det = t.a * t.a + t.b * t.b;
    const inv = (u: number, v: number): Point => [
      (t.a * (u - t.tx) + t.b * (v - t.ty)) / det,
      (-t.b * (u - t.tx) + t.a * (v - t.ty)) / det,
    ];
    corners = [inv(0, 0), inv(cw, 0), inv(0, ch), inv(cw, ch)];
    scale = Math.sqrt(det);
  } else {
    const [x1, y1, x2, y2] = d.box;
    const m = alignment.margin / 2;
    corners = [
      [x1 - m, y1 - m],
      [x2 + m, y2 + m],
    ];
    scale = cw / Math.max(x2 - x1 + alignment.margin, 1);
  }
  const left = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0]))) - 2);
  const top = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))) - 2);
  const right = Math.min(width, Math.ceil(Math.max(...corners.map((p) => p[0]))) + 3);
  const bottom = Math.min(height, Math.ceil(Math.max(...corners.map((p) => p[1]))) + 3);
  const region: Region | undefined =
    right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : undefined;
  /** Chip pixels per original pixel. */
  return { region, scale };
}

function shift(d: Detection, dx: number, dy: number, sx = 1, sy = 1): Detection {
  const [x1, y1, x2, y2] = d.box;
  const [p0, p1, p2, p3, p4] = d.landmarks.map(([x, y]): Point => [(x - dx) / sx, (y - dy) / sy]);
  const zero: Point = [0, 0];
  return {
    box: [(x1 - dx) / sx, (y1 - dy) / sy, (x2 - dx) / sx, (y2 - dy) / sy],
    score: d.score,
    landmarks: [p0 ?? zero, p1 ?? zero, p2 ?? zero, p3 ?? zero, p4 ?? zero],
  };
}

/**
 * Bytes path of `detectAndAlign` for a photo above the detector's working budget: decode reduced
 * (shrink-on-load), detect there with results in original pixels, then cut each chip with the chip's
 * geometry from the reduced image when it has at least one pixel per chip pixel (a large face), else
 * from a full-resolution decode of just the chip's footprint.
 */
async function detectReduced(
  bytes: Uint8Array,
  reduced: ReducedImage,
  detector: Detector,
  alignment: Alignment,
  alignOptions: AlignOptions,
  limits: ImageLimits,
  options: DetectOptions | undefined,
): Promise<{ chips: FaceChip[]; detectMs: number; alignMs: number }> {
  const { image, width, height } = reduced;
  const sx = width / image.width;
  const sy = height / image.height;
  const t0 = performance.now();
  const detections = await detector.detect(image, { ...options, scale: [sx, sy] });
  const t1 = performance.now();
  const chips: FaceChip[] = [];
  for (const d of detections) {
    const { region, scale } = chipFootprint(d, alignment, width, height);
    let chip: FaceChip;
    if (region === undefined || scale * Math.max(sx, sy) <= 1) {
      chip = alignFace(image, shift(d, 0, 0, sx, sy), alignment, alignOptions);
    } else {
      const part = await decodeImageRegion(bytes, region, limits);
      chip = alignFace(part, shift(d, region.left, region.top), alignment, alignOptions);
    }
    chips.push({ ...chip, detection: d });
  }
  return { chips, detectMs: t1 - t0, alignMs: performance.now() - t1 };
}

async function finderFrom(common: Shared, options: FacePipelineOptions): Promise<FaceFinder> {
  const spec = embedderSpec(common.manifest, options.embedderId);
  const detector = await createDetector({ ...common, defaults: options.detect ?? {} });
  const find = faceFinderFn(detector, spec.alignment, options.align ?? {}, options.imageLimits ?? {});
  return {
    detector,
    models: { detector: detector.modelIds.join('+'), embedder: spec.modelId },
    chipSize: { width: spec.inputSize[0], height: spec.inputSize[1] },
    alignment: spec.alignment,
    async detectAndAlign(input, detectOptions) {
      return (await find(input, detectOptions)).chips;
    },
  };
}

/**
 * Loads MTCNN only and returns the detector half of the pipeline: chips cut for the embedder the
 * manifest names, without loading that embedder. What the detector Lambda calls.
 *
 * @example
 * ```ts
 * const finder = await createFaceFinder({ detect: { minFaceSize: 20 } });
 * const chips = await finder.detectAndAlign(await readFile('frame.jpg')); // finder.chipSize each
 * ```
 */
export async function createFaceFinder(options: FacePipelineOptions = {}): Promise<FaceFinder> {
  return finderFrom(await shared(options), options);
}

/**
 * Loads the detector and embedder named by the manifest and returns the face pipeline.
 *
 * @example
 * ```ts
 * const pipeline = await createFacePipeline({ detect: { minFaceSize: 40 } });
 * const { faces, timings } = await pipeline.analyze(await readFile('frame.jpg'));
 * for (const face of faces) console.log(face.detection.box, face.embedding.vector.length);
 * console.log(timings.total);
 * ```
 */
export async function createFacePipeline(options: FacePipelineOptions = {}): Promise<FacePipeline> {
  const common = await shared(options);
  const [finder, embedder] = await Promise.all([
    finderFrom(common, options),
    createEmbedder({ ...common, ...(options.embedderId ? { modelId: options.embedderId } : {}) }),
  ]);
  const find = faceFinderFn(
    finder.detector,
    finder.alignment,
    options.align ?? {},
    options.imageLimits ?? {},
  );
  const embedOptions = options.embed ?? {};

  return {
    ...finder,
    embedder,
    embed: (chips) => embedder.embed(chips, embedOptions),
    async analyze(input, detectOptions) {
      const { width, height, chips, ms } = await find(input, detectOptions);
      const t3 = performance.now();
      const embeddings = chips.length > 0 ? await embedder.embed(chips, embedOptions) : [];
      const embed = performance.now() - t3;
      const faces = chips.map((chip, i): AnalyzedFace => {
        const embedding = embeddings[i];
        if (embedding === undefined)
          throw new ModelRunError(`embedder returned ${embeddings.length} vectors for ${chips.length} chips`);
        return { detection: chip.detection, chip, embedding };
      });
      const total = ms.decode + ms.detect + ms.align + embed;
      return { width, height, faces, timings: { ...ms, embed, total } };
    },
  };
}

/**
 * The face with the largest box: the one a photo is enrolled with (a bystander is smaller). `undefined`
 * for no faces; the first of equal boxes wins.
 *
 * @example
 * ```ts
 * const face = largestFace(await finder.detectAndAlign(photo)); // FaceChip | undefined
 * ```
 */
export function largestFace<T extends { detection: { box: readonly [number, number, number, number] } }>(
  faces: readonly T[],
): T | undefined {
  const area = ([x1, y1, x2, y2]: readonly [number, number, number, number]) =>
    Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  let largest: T | undefined;
  for (const face of faces) {
    if (largest === undefined || area(face.detection.box) > area(largest.detection.box)) largest = face;
  }
  return largest;
}
