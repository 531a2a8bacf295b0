import {
  type Alignment,
  modelsDir as defaultModelsDir,
  loadManifest,
  type Manifest,
} from '@frs/models/manifest';
import { type AlignOptions, alignFace } from '../align/index.ts';
import { createDetector, type DetectOptions, type Detector } from '../detect/index.ts';
import { createEmbedder, type Embedder, type EmbedOptions } from '../embed/index.ts';
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

/** Decode → detect → align → embed, with models loaded once. What the Lambdas and the CLI call. */
export interface FacePipeline {
  readonly detector: Detector;
  readonly embedder: Embedder;
  /** Model ids in use (`detector` joins the P/R/O-Net ids with `+`). */
  readonly models: { detector: string; embedder: string };
  /** Size of the chips `detectAndAlign` returns (the embedder's input). */
  readonly chipSize: { width: number; height: number };
  readonly alignment: Alignment;
  /** Detects faces (highest score first) and cuts the embedder's chip for each. Bytes are decoded first. */
  detectAndAlign(input: Uint8Array | RgbImage, options?: DetectOptions): Promise<FaceChip[]>;
  /** L2-normalised embeddings of chips from `detectAndAlign` (or any RGB images of `chipSize`). */
  embed(chips: readonly RgbImage[]): Promise<Embedding[]>;
  /** Everything for one frame, with per-stage timings. */
  analyze(input: Uint8Array | RgbImage, options?: DetectOptions): Promise<Analysis>;
}

const isImage = (input: Uint8Array | RgbImage): input is RgbImage => !(input instanceof Uint8Array);

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
  const manifest = options.manifest ?? (await loadManifest());
  const dir = options.modelsDir ?? defaultModelsDir();
  const shared = {
    manifest,
    modelsDir: dir,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.verifyChecksums === undefined ? {} : { verifyChecksums: options.verifyChecksums }),
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
    ...(options.allowSpinning === undefined ? {} : { allowSpinning: options.allowSpinning }),
  };
  const [detector, embedder] = await Promise.all([
    createDetector({ ...shared, defaults: options.detect ?? {} }),
    createEmbedder({ ...shared, ...(options.embedderId ? { modelId: options.embedderId } : {}) }),
  ]);
  const alignOptions = options.align ?? {};
  const embedOptions = options.embed ?? {};
  const limits = options.imageLimits ?? {};
  const toImage = (input: Uint8Array | RgbImage) =>
    isImage(input) ? Promise.resolve(input) : decodeImage(input, limits);
  const align = (image: RgbImage, detections: readonly Detection[]) =>
    detections.map((d) => alignFace(image, d, embedder.alignment, alignOptions));

  return {
    detector,
    embedder,
    models: { detector: detector.modelIds.join('+'), embedder: embedder.modelId },
    chipSize: { width: embedder.inputSize[0], height: embedder.inputSize[1] },
    alignment: embedder.alignment,
    async detectAndAlign(input, detectOptions) {
      const image = await toImage(input);
      return align(image, await detector.detect(image, detectOptions));
    },
    embed: (chips) => embedder.embed(chips, embedOptions),
    async analyze(input, detectOptions) {
      const t0 = performance.now();
      const image = await toImage(input);
      const t1 = performance.now();
      const detections = await detector.detect(image, detectOptions);
      const t2 = performance.now();
      const chips = align(image, detections);
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
