import { defaultModel, type Manifest } from '@frs/models/manifest';
import { z } from 'zod';
import { DEFAULT_MIN_FACE_SIZE } from '../defaults.ts';
import { VisionError } from '../errors.ts';
import { boxFactor, downscaleBox } from '../image/downscale.ts';
import { type LoadModelOptions, loadModel, ModelSignatureError, type OnnxModel } from '../onnx/index.ts';
import { type TensorLayout, tensorLayout } from '../onnx/layout.ts';
import type { Detection, Logger, Point, RgbImage } from '../types.ts';
import {
  type AreaSource,
  applyPnetRegression,
  applyRegression,
  type Candidate,
  type CropRegion,
  cropRegion,
  DirectArea,
  IntegralImage,
  nmsMin,
  nmsUnion,
  square,
} from './mtcnn.ts';
import { DetectWorkerError, detectWorkerCount, type PnetPool, pnetPool } from './pnet-pool.ts';
import {
  CropRunner,
  mergeTiles,
  PNET_MAX_LEVEL_PIXELS,
  PnetTileRunner,
  packRegions,
  pnetJobs,
  type TileResult,
} from './pnet-tiles.ts';

export { DetectWorkerError, detectWorkerCount, PNET_MAX_LEVEL_PIXELS };

/**
 * How R-/O-Net crops treat a box that runs past the image edge. `zero-fill` (default, the original
 * MTCNN): the outside part is zero pixels, so boxes and landmarks stay consistent with the full box.
 * `reference` (facenet-pytorch): the box is clipped and the inside part stretched, while landmarks are
 * still mapped with the full box, which puts them 5–20 px off near edges.
 */
export type EdgeMode = 'zero-fill' | 'reference';

export const DetectOptionsSchema = z
  .object({
    /** Smallest face side in pixels that the pyramid looks for. Default 20. */
    minFaceSize: z.number().min(1),
    /** P-Net, R-Net, O-Net probability thresholds. Default [0.6, 0.7, 0.7]. */
    thresholds: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)]),
    /** Pyramid scale factor. Default 0.709. */
    factor: z.number().gt(0.1).lt(1),
    /** Return at most this many faces (the highest scores). Default unlimited. */
    maxFaces: z.number().int().positive(),
    edgeMode: z.enum(['zero-fill', 'reference']),
    /**
     * The image is a reduced decode of an original `[sx, sy]` times larger (`decodeImageWithin`):
     * `minFaceSize` is in original pixels, and boxes and landmarks come back in original pixels.
     * Default [1, 1].
     */
    scale: z.tuple([z.number().positive(), z.number().positive()]),
  })
  .partial();

/** Detection options; every field is optional. */
export type DetectOptions = z.input<typeof DetectOptionsSchema>;

/** Raised for invalid detection options or an invalid input image. */
export class DetectInputError extends VisionError {
  override readonly code = 'DETECT_INPUT';
}

/** An MTCNN face detector bound to loaded P/R/O-Net sessions. */
export interface Detector {
  /** Manifest ids of the P-, R- and O-Net in use. */
  readonly modelIds: readonly [pnet: string, rnet: string, onet: string];
  /**
   * Finds faces: boxes, O-Net scores and 5 landmarks in original image coordinates, highest score first
   * (the reference's order after its final NMS). Calls are serialised; the detector reuses its buffers.
   */
  detect(image: RgbImage, options?: DetectOptions): Promise<Detection[]>;
}

/** Options for {@link createDetector}. */
export interface CreateDetectorOptions extends Omit<LoadModelOptions, 'logger'> {
  manifest: Manifest;
  modelsDir: string;
  logger?: Logger;
  /** Defaults merged under every `detect` call's options. */
  defaults?: DetectOptions;
  /**
   * Worker threads that run P-Net's pyramid tiles in parallel with the calling thread, each (and the
   * calling thread's share) on a single-threaded session. 0: P-Net runs in the calling thread only, on
   * the detector's session. Default: {@link detectWorkerCount} (`FRS_DETECT_WORKERS`, else one fewer
   * than the onnxruntime threads: 1 on 2 vCPU, 0 on 1 vCPU): on 2 cores a 720p frame's detection took
   * 0.73× the time, 1080p 0.83× (`bench/workers.ts`).
   */
  pnetWorkers?: number;
}

export { DEFAULT_MIN_FACE_SIZE };

function output(result: Record<string, { data: Float32Array; dims: readonly number[] }>, name: string) {
  const t = result[name];
  if (t === undefined) throw new ModelSignatureError(`MTCNN output ${name} missing`);
  return t;
}

function requireOutputs(model: OnnxModel, names: readonly string[]): void {
  const absent = names.filter((n) => !model.outputNames.includes(n));
  if (absent.length > 0) {
    throw new ModelSignatureError(`model ${model.entry.id} lacks outputs [${absent.join(', ')}]`);
  }
}

/** Buffers up to a 4K frame's size stay allocated between calls; larger ones are freed after each call. */
const RETAINED_PIXELS = 3840 * 2160;

/**
 * Largest image the detector works on at full resolution. A larger one is box-downscaled by the smallest
 * integer `k` that brings it under this budget, detected there and mapped back by `×k`. 13.5 MP keeps
 * every photo of the development set (up to 13.4 MP) on the full-resolution path.
 */
export const WORKING_MAX_PIXELS = 13_500_000;

/**
 * Working images above this size, and every downscaled one (the caller's full-size image already costs
 * 3 bytes per original pixel), read area sums from the pixels instead of a 12-byte-per-pixel table.
 */
const INTEGRAL_MAX_PIXELS = RETAINED_PIXELS;

/**
 * The integer box factor {@link WORKING_MAX_PIXELS} asks for: 1 up to the budget, else the smallest `k`
 * with `floor(w / k)·floor(h / k) ≤` budget.
 *
 * @example
 * ```ts
 * workingFactor(6414, 6236); // 2: a 40 MP photo is detected at 3207×3118
 * ```
 */
export function workingFactor(width: number, height: number, maxPixels = WORKING_MAX_PIXELS): number {
  return boxFactor(width, height, maxPixels);
}

/**
 * Largest R-Net / O-Net batch per onnxruntime run; bounds memory on frames with thousands of proposals.
 * O-Net's first activation is ≈ 270 KB per 48×48 crop: in batches of 16 a batch stays near the caches
 * and a crop costs ≈ 25 % less than in batches of 128 (onnxruntime alone, 1 and 2 threads; the 1080p
 * group frame of `bench/pipeline.ts`, 134 crops, one core: O-Net stage 69 → 44 ms). R-Net's cost per
 * crop is flat from 16 to 128, so it keeps the larger batch (fewer runs on frames with 1,000+ proposals).
 */
const MAX_CROPS_PER_RUN = { rnet: 128, onet: 16 } as const;

/**
 * Fewest crops that go to the worker lanes (in the batches above): below, the stage runs here on the
 * multi-threaded session. A 720p frame's 153 R-Net crops split over 2 lanes took 10.4 instead of 7.4 ms;
 * the 1080p group frame's 1,664 R-Net / 134 O-Net crops 55 / 24 instead of 68 / 29 ms (`bench/workers.ts`).
 */
const LANE_MIN_CROPS = { rnet: 2 * MAX_CROPS_PER_RUN.rnet, onet: 2 * MAX_CROPS_PER_RUN.onet } as const;

const DEFAULTS = {
  minFaceSize: DEFAULT_MIN_FACE_SIZE,
  thresholds: [0.6, 0.7, 0.7] as const,
  factor: 0.709,
  maxFaces: Number.POSITIVE_INFINITY,
  edgeMode: 'zero-fill' as EdgeMode,
};

/** P-Net's parallel lanes: the worker pool, and this thread's share of the tiles on its own session. */
interface Lanes {
  pool: PnetPool;
  tiles: PnetTileRunner;
  /** This thread's single-threaded R-Net / O-Net, loaded on the first crowded frame. */
  crops: (kind: 'rnet' | 'onet') => Promise<CropRunner>;
}
type StartLanes = () => Promise<{
  pool: PnetPool;
  pnet: OnnxModel;
  crops: (kind: 'rnet' | 'onet') => Promise<OnnxModel>;
}>;

/**
 * Crop `k`'s box with its R-/O-Net face score and regression, or `undefined` when the score does not pass
 * the stage's threshold (`prob` holds two softmax scores per crop, `reg` four offsets).
 */
function scoredCandidate(
  b: Candidate,
  k: number,
  prob: Float32Array,
  reg: Float32Array,
  threshold: number,
): Candidate | undefined {
  const score = prob[2 * k + 1] ?? 0;
  if (!(score > threshold)) return undefined;
  return {
    x1: b.x1,
    y1: b.y1,
    x2: b.x2,
    y2: b.y2,
    score,
    r0: reg[4 * k] ?? 0,
    r1: reg[4 * k + 1] ?? 0,
    r2: reg[4 * k + 2] ?? 0,
    r3: reg[4 * k + 3] ?? 0,
  };
}

class MtcnnDetector implements Detector {
  readonly modelIds: readonly [string, string, string];
  readonly #rnet: OnnxModel;
  readonly #onet: OnnxModel;
  readonly #defaults: DetectOptions;
  readonly #logger: Logger | undefined;
  readonly #tiles: PnetTileRunner;
  readonly #startLanes: StartLanes | undefined;
  #lanes: Promise<Lanes> | undefined;
  readonly #cropRunners = new Map<OnnxModel, CropRunner>();
  readonly #integral: IntegralImage;
  #source: AreaSource;
  readonly #rLayout: TensorLayout;
  readonly #oLayout: TensorLayout;
  #rBuffer = new Float32Array(0);
  #oBuffer = new Float32Array(0);
  #queue: Promise<unknown> = Promise.resolve();
  #pyramidMs = 0;
  #pnetMs = 0;
  /** Wall time of the P-Net jobs when they ran in parallel lanes (0 when they ran here alone). */
  #lanesMs = 0;

  constructor(
    pnet: OnnxModel,
    rnet: OnnxModel,
    onet: OnnxModel,
    defaults: DetectOptions,
    startLanes: StartLanes | undefined,
    logger?: Logger,
  ) {
    this.modelIds = [pnet.entry.id, rnet.entry.id, onet.entry.id];
    this.#tiles = new PnetTileRunner(pnet);
    this.#startLanes = startLanes;
    this.#integral = new IntegralImage(startLanes !== undefined);
    this.#source = this.#integral;
    this.#rnet = rnet;
    this.#onet = onet;
    this.#defaults = defaults;
    this.#logger = logger;
    const rSize = rnet.entry.preprocessing.size ?? [24, 24];
    const oSize = onet.entry.preprocessing.size ?? [48, 48];
    this.#rLayout = tensorLayout(rnet.entry.preprocessing, rSize[0], rSize[1]);
    this.#oLayout = tensorLayout(onet.entry.preprocessing, oSize[0], oSize[1]);
  }

  detect(image: RgbImage, options: DetectOptions = {}): Promise<Detection[]> {
    const run = this.#queue.then(() => this.#detect(image, options)).finally(() => this.#trim());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #trim(): void {
    // The direct source holds the working image; it must not outlive the call.
    this.#source = this.#integral;
    this.#integral.trim((RETAINED_PIXELS + 4096 + 2161) * 3);
  }

  async #detect(image: RgbImage, options: DetectOptions): Promise<Detection[]> {
    const parsed = DetectOptionsSchema.safeParse({ ...this.#defaults, ...options });
    if (!parsed.success) throw new DetectInputError(`invalid detect options: ${parsed.error.message}`);
    const d = parsed.data;
    const o = {
      minFaceSize: d.minFaceSize ?? DEFAULTS.minFaceSize,
      thresholds: d.thresholds ?? DEFAULTS.thresholds,
      factor: d.factor ?? DEFAULTS.factor,
      maxFaces: d.maxFaces ?? DEFAULTS.maxFaces,
      edgeMode: d.edgeMode ?? DEFAULTS.edgeMode,
      scale: d.scale ?? [1, 1],
    };
    if (!(image.width > 0 && image.height > 0 && image.data.length === image.width * image.height * 3)) {
      throw new DetectInputError(
        `image data has ${image.data.length} bytes, expected ${image.width}×${image.height}×3`,
      );
    }
    const t0 = performance.now();
    const k = workingFactor(image.width, image.height);
    const work = downscaleBox(image, k);
    const { width: w, height: h } = work;
    if (k === 1 && w * h <= INTEGRAL_MAX_PIXELS) {
      this.#integral.build(work);
      this.#source = this.#integral;
    } else {
      this.#source = new DirectArea(work);
    }
    this.#pyramidMs = 0;
    this.#pnetMs = 0;
    this.#lanesMs = 0;
    const t1 = performance.now();
    const [sx, sy] = o.scale;
    const minFace = o.minFaceSize / (k * Math.sqrt(sx * sy));
    const proposals = await this.#proposals(w, h, minFace, o.factor, o.thresholds[0]);
    const t2 = performance.now();
    const refined =
      proposals.length > 0 ? await this.#refine(proposals, w, h, o.thresholds[1], o.edgeMode) : [];
    const t3 = performance.now();
    const faces = refined.length > 0 ? await this.#output(refined, w, h, o.thresholds[2], o.edgeMode) : [];
    const t4 = performance.now();
    // Per-stage profile for benchmarks and slow-frame diagnosis (debug level only).
    this.#logger?.debug('mtcnn', {
      width: image.width,
      height: image.height,
      working: { width: w, height: h, factor: k },
      proposals: proposals.length,
      refined: refined.length,
      faces: faces.length,
      ms: {
        // Working downscale and summed-area table.
        integral: t1 - t0,
        pyramidResize: this.#pyramidMs,
        pnet: this.#pnetMs,
        // With worker lanes, pyramidResize and pnet are summed over the lanes (CPU time, more than the
        // wall time they took); pnetOther is then the stage's wall time outside the parallel jobs.
        pnetOther: t2 - t1 - (this.#lanesMs > 0 ? this.#lanesMs : this.#pyramidMs + this.#pnetMs),
        lanes: this.#lanesMs,
        rnet: t3 - t2,
        onet: t4 - t3,
      },
    });
    const kept = faces.slice(0, o.maxFaces);
    return k * sx === 1 && k * sy === 1 ? kept : kept.map((d) => scaleDetection(d, k * sx, k * sy));
  }

  /** Stage 1: P-Net over the pyramid, NMS 0.5 per scale, 0.7 across scales, regression, squaring. */
  async #proposals(w: number, h: number, minSize: number, factor: number, threshold: number) {
    const jobs = pnetJobs(w, h, minSize, factor, threshold);
    const results = await this.#pnetResults(jobs);
    const all: Candidate[] = [];
    for (const boxes of mergeTiles(jobs, results)) for (const b of nmsUnion(boxes ?? [], 0.5)) all.push(b);
    const picked = nmsUnion(all, 0.7);
    for (const c of picked) {
      applyPnetRegression(c);
      square(c);
    }
    return picked;
  }

  /**
   * The worker pool and this thread's single-threaded P-Net, started on the first frame that uses them:
   * a process that only sees photos above the table budget never pays their ≈ 50 MiB.
   */
  #lanesReady(start: StartLanes): Promise<Lanes> {
    if (this.#lanes === undefined) {
      const pending = start().then(({ pool, pnet, crops }) => ({
        pool,
        tiles: new PnetTileRunner(pnet),
        crops: async (kind: 'rnet' | 'onet') => {
          const model = await crops(kind);
          const hit = this.#cropRunners.get(model);
          if (hit !== undefined) return hit;
          const runner = new CropRunner(model);
          this.#cropRunners.set(model, runner);
          return runner;
        },
      }));
      this.#lanes = pending;
      pending.catch(() => {
        if (this.#lanes === pending) this.#lanes = undefined;
      });
    }
    return this.#lanes;
  }

  /**
   * Every P-Net job's candidates. With workers and a summed-area table (frames up to 4K), the jobs are
   * shared between the workers and this thread; else they run one by one here. Images read without a
   * table stay here: they are the memory-critical ones, and their tiles re-read the pixels, so workers
   * made a 40 MP photo slower (3.5 vs 2.7 s) and 100 MiB larger.
   */
  async #pnetResults(jobs: ReturnType<typeof pnetJobs>): Promise<TileResult[]> {
    const source = this.#source;
    const buffer = this.#integral.sums.buffer;
    if (this.#startLanes !== undefined && source === this.#integral && buffer instanceof SharedArrayBuffer) {
      const { pool, tiles } = await this.#lanesReady(this.#startLanes);
      tiles.resetTimes();
      const l0 = performance.now();
      const results = await pool.run(
        { buffer, width: source.width, height: source.height },
        jobs,
        async (job) => {
          const result: TileResult = { candidates: [], rows: [] };
          await tiles.run(source, job, result);
          return result;
        },
      );
      this.#lanesMs = performance.now() - l0;
      this.#pyramidMs = pool.resizeMs + tiles.resizeMs;
      this.#pnetMs = pool.pnetMs + tiles.pnetMs;
      return results;
    }
    this.#tiles.resetTimes();
    const results: TileResult[] = [];
    for (const job of jobs) {
      const result: TileResult = { candidates: [], rows: [] };
      await this.#tiles.run(this.#source, job, result);
      results.push(result);
    }
    this.#pyramidMs = this.#tiles.resizeMs;
    this.#pnetMs = this.#tiles.pnetMs;
    return results;
  }

  #crops(boxes: readonly Candidate[], w: number, h: number, edgeMode: EdgeMode) {
    const kept: Candidate[] = [];
    const regions: CropRegion[] = [];
    for (const b of boxes) {
      const region = cropRegion(b, w, h, edgeMode);
      if (region === undefined) continue;
      kept.push(b);
      regions.push(region);
    }
    return { kept, regions };
  }

  /**
   * Runs R-Net or O-Net over all crops in batches of at most {@link MAX_CROPS_PER_RUN}, so the input buffer
   * and onnxruntime's activation arena stay bounded on crowded frames. Returns each output concatenated.
   */
  async #runCrops(
    model: OnnxModel,
    layout: TensorLayout,
    regions: readonly CropRegion[],
    names: readonly string[],
  ) {
    const kind = model === this.#rnet ? 'rnet' : 'onet';
    const max = MAX_CROPS_PER_RUN[kind];
    const batch = Math.min(regions.length, max);
    const source = this.#source;
    const shared = this.#integral.sums.buffer;
    const tabled = source === this.#integral && shared instanceof SharedArrayBuffer;
    const lanes =
      this.#startLanes === undefined || !tabled || regions.length < LANE_MIN_CROPS[kind]
        ? undefined
        : await this.#lanesReady(this.#startLanes);
    if (lanes !== undefined && shared instanceof SharedArrayBuffer) {
      // Each batch's outputs do not depend on where it ran, so the concatenation is the sequential one.
      const batches: Int32Array<ArrayBuffer>[] = [];
      for (let start = 0; start < regions.length; start += batch) {
        batches.push(packRegions(regions.slice(start, start + batch)));
      }
      const runner = await lanes.crops(kind);
      const results = await lanes.pool.runCrops(
        { buffer: shared, width: source.width, height: source.height },
        kind,
        batches,
        (packed) => runner.run(source, packed),
      );
      const outputs: Record<string, Float32Array> = {};
      results.forEach((result, b) => {
        const count = (batches[b]?.length ?? 0) >> 2;
        for (const name of names) {
          const data = result[name];
          if (data === undefined) throw new ModelSignatureError(`MTCNN output ${name} missing`);
          const perCrop = data.length / count;
          let all = outputs[name];
          if (all === undefined) {
            all = new Float32Array(regions.length * perCrop);
            outputs[name] = all;
          }
          all.set(data, b * batch * perCrop);
        }
      });
      return (name: string): Float32Array => outputs[name] ?? new Float32Array(0);
    }
    const buffer = model === this.#rnet ? this.#rBuffer : this.#oBuffer;
    const input =
      buffer.length >= batch * layout.sampleSize ? buffer : new Float32Array(batch * layout.sampleSize);
    if (model === this.#rnet) this.#rBuffer = input;
    else this.#oBuffer = input;
    const inputName = model.entry.inputs[0]?.name ?? 'input';
    const outputs: Record<string, Float32Array> = {};
    for (let start = 0; start < regions.length; start += batch) {
      const chunk = regions.slice(start, start + batch);
      chunk.forEach((r, k) => {
        this.#source.resizeInto(r.x0, r.y0, r.w, r.h, layout, input, k * layout.sampleSize);
      });
      const data = input.subarray(0, chunk.length * layout.sampleSize);
      const result = await model.run({ [inputName]: { data, dims: layout.dims(chunk.length) } });
      for (const name of names) {
        const t = output(result, name);
        const perCrop = t.data.length / chunk.length;
        let all = outputs[name];
        if (all === undefined) {
          all = new Float32Array(regions.length * perCrop);
          outputs[name] = all;
        }
        all.set(t.data, start * perCrop);
      }
    }
    return (name: string): Float32Array => outputs[name] ?? new Float32Array(0);
  }

  /** Stage 2: R-Net on 24×24 crops, threshold, NMS 0.7, regression, squaring. */
  async #refine(boxes: readonly Candidate[], w: number, h: number, threshold: number, edgeMode: EdgeMode) {
    const layout = this.#rLayout;
    const { kept, regions } = this.#crops(boxes, w, h, edgeMode);
    if (kept.length === 0) return [];
    const result = await this.#runCrops(this.#rnet, layout, regions, ['prob', 'reg']);
    const prob = result('prob');
    const reg = result('reg');
    const passed: Candidate[] = [];
    kept.forEach((b, k) => {
      const c = scoredCandidate(b, k, prob, reg, threshold);
      if (c !== undefined) passed.push(c);
    });
    const picked = nmsUnion(passed, 0.7);
    for (const c of picked) {
      applyRegression(c);
      square(c);
    }
    return picked;
  }

  /** Stage 3: O-Net on 48×48 crops, threshold, landmarks, regression, "Min" NMS 0.7. */
  async #output(boxes: readonly Candidate[], w: number, h: number, threshold: number, edgeMode: EdgeMode) {
    const f = Math.fround;
    const layout = this.#oLayout;
    const { kept, regions } = this.#crops(boxes, w, h, edgeMode);
    if (kept.length === 0) return [];
    const result = await this.#runCrops(this.#onet, layout, regions, ['prob', 'reg', 'landmarks']);
    const prob = result('prob');
    const reg = result('reg');
    const lm = result('landmarks');
    const passed: Candidate[] = [];
    const points = new Map<Candidate, Point[]>();
    kept.forEach((b, k) => {
      const c = scoredCandidate(b, k, prob, reg, threshold);
      if (c === undefined) return;
      const bw = f(f(c.x2 - c.x1) + 1);
      const bh = f(f(c.y2 - c.y1) + 1);
      const pts: Point[] = [];
      for (let i = 0; i < 5; i++) {
        const px = f(f(f(bw * (lm[10 * k + i] ?? 0)) + c.x1) - 1);
        const py = f(f(f(bh * (lm[10 * k + 5 + i] ?? 0)) + c.y1) - 1);
        pts.push([px, py]);
      }
      applyRegression(c);
      passed.push(c);
      points.set(c, pts);
    });
    return nmsMin(passed, 0.7).map((c): Detection => {
      const [p0, p1, p2, p3, p4] = points.get(c) ?? [];
      const zero: Point = [0, 0];
      return {
        box: [c.x1, c.y1, c.x2, c.y2],
        score: c.score,
        landmarks: [p0 ?? zero, p1 ?? zero, p2 ?? zero, p3 ?? zero, p4 ?? zero],
      };
    });
  }
}

/** A detection found on a working image downscaled by `(sx, sy)`, in original image pixels. */
function scaleDetection(d: Detection, sx: number, sy: number): Detection {
  const [x1, y1, x2, y2] = d.box;
  const [p0, p1, p2, p3, p4] = d.landmarks.map(([x, y]): Point => [x * sx, y * sy]);
  const zero: Point = [0, 0];
  return {
    box: [x1 * sx, y1 * sy, x2 * sx, y2 * sy],
    score: d.score,
    landmarks: [p0 ?? zero, p1 ?? zero, p2 ?? zero, p3 ?? zero, p4 ?? zero],
  };
}

/**
 * Loads the manifest's MTCNN P/R/O-Net (memoised sessions, sha256-checked) and returns a detector that
 * reproduces facenet-pytorch's MTCNN.
 *
 * @example
 * ```ts
 * import { loadManifest, modelsDir } from '@frs/models/manifest';
 * const detector = await createDetector({ manifest: await loadManifest(), modelsDir: modelsDir() });
 * const faces = await detector.detect(image, { minFaceSize: 40, maxFaces: 5 });
 * console.log(faces[0]?.box, faces[0]?.score, faces[0]?.landmarks);
 * ```
 */
export async function createDetector(options: CreateDetectorOptions): Promise<Detector> {
  const { manifest, modelsDir, logger, defaults = {}, pnetWorkers, ...load } = options;
  // Every MTCNN stage sees many input shapes (pyramid levels, tiles, batch remainders): see memoryPattern.
  const loadOptions: LoadModelOptions = { ...load, memoryPattern: false, ...(logger ? { logger } : {}) };
  const [pnet, rnet, onet] = await Promise.all([
    loadModel(defaultModel(manifest, 'mtcnn-pnet'), modelsDir, loadOptions),
    loadModel(defaultModel(manifest, 'mtcnn-rnet'), modelsDir, loadOptions),
    loadModel(defaultModel(manifest, 'mtcnn-onet'), modelsDir, loadOptions),
  ]);
  requireOutputs(pnet, ['prob', 'reg']);
  requireOutputs(rnet, ['prob', 'reg']);
  requireOutputs(onet, ['prob', 'reg', 'landmarks']);
  const parsed = DetectOptionsSchema.safeParse(defaults);
  if (!parsed.success) throw new DetectInputError(`invalid default detect options: ${parsed.error.message}`);
  const workers = pnetWorkers ?? detectWorkerCount();
  const init = {
    entry: pnet.entry,
    crops: { rnet: rnet.entry, onet: onet.entry },
    modelsDir,
    verifyChecksums: load.verifyChecksums ?? true,
  };
  const single = { ...loadOptions, intraOpNumThreads: 1 };
  const startLanes: StartLanes | undefined =
    workers > 0
      ? async () => {
          const [pool, p] = await Promise.all([
            pnetPool(workers, init, logger),
            loadModel(pnet.entry, modelsDir, single),
          ]);
          // This thread's crop batches reuse the detector's sessions: a third set of R-/O-Net arenas
          // cost more memory than the oversubscription costs time.
          const crops = async (kind: 'rnet' | 'onet') => (kind === 'rnet' ? rnet : onet);
          return { pool, pnet: p, crops };
        }
      : undefined;
  return new MtcnnDetector(pnet, rnet, onet, parsed.data, startLanes, logger);
}
