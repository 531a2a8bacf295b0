import {
  type Alignment,
  modelsDir as defaultModelsDir,
  loadManifest,
  type Manifest,
} from '@frs/models/manifest';
import { type AlignOptions, alignFace } from '../align/index.ts';
import { createDetector, type DetectOptions, type Detector } from '../detect/index.ts';
import { createEmbedder, type Embedder, type EmbedOptions, embedderSpec } from '../embed/index.ts';
import { decodeImage, type ImageLimits } from '../image/index.ts';
import { ModelRunError } from '../onnx/index.ts';
import type { Detection, Embedding, FaceChip, Logger, RgbImage } from '../types.ts';

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
  /** Detects faces (highest score first) and cuts the embedder's chip for each. Bytes are decoded first. */
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

const toImage = (input: Uint8Array | RgbImage, limits: ImageLimits): Promise<RgbImage> =>
  isImage(input) ? Promise.resolve(input) : decodeImage(input, limits);

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

async function finderFrom(common: Shared, options: FacePipelineOptions): Promise<FaceFinder> {
  const spec = embedderSpec(common.manifest, options.embedderId);
  const detector = await createDetector({ ...common, defaults: options.detect ?? {} });
  const alignOptions = options.align ?? {};
  const limits = options.imageLimits ?? {};
  return {
    detector,
    models: { detector: detector.modelIds.join('+'), embedder: spec.modelId },
    chipSize: { width: spec.inputSize[0], height: spec.inputSize[1] },
    alignment: spec.alignment,
    async detectAndAlign(input, detectOptions) {
      const image = await toImage(input, limits);
      const detections = await detector.detect(image, detectOptions);
      return detections.map((d) => alignFace(image, d, spec.alignment, alignOptions));
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
  const { detector, alignment } = finder;
  const alignOptions = options.align ?? {};
  const embedOptions = options.embed ?? {};
  const limits = options.imageLimits ?? {};

  return {
    ...finder,
    embedder,
    embed: (chips) => embedder.embed(chips, embedOptions),
    async analyze(input, detectOptions) {
      const t0 = performance.now();
      const image = await toImage(input, limits);
      const t1 = performance.now();
      const detections = await detector.detect(image, detectOptions);
      const t2 = performance.now();
      const chips = detections.map((d) => alignFace(image, d, alignment, alignOptions));
      const t3 = performance.now();
      const embeddings = chips.length > 0 ? await embedder.embed(chips, embedOptions) : [];
      const t4 = performance.now();
      const faces = chips.map((chip, i): AnalyzedFace => {
        const embedding = embeddings[i];
        if (embedding === undefined)
          throw new ModelRunError(`embedder returned ${embeddings.length} vectors for ${chips.length} chips`);
        return { detection: chip.detection, chip, embedding };
      });
      return {
        width: image.width,
        height: image.height,
        faces,
        timings: { decode: t1 - t0, detect: t2 - t1, align: t3 - t2, embed: t4 - t3, total: t4 - t0 },
      };
    },
  };
}
