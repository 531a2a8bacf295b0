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
  generateBoundingBoxes,
  IntegralImage,
  nmsMin,
  nmsUnion,
  square,
} from './mtcnn.ts';

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
 * Largest P-Net pyramid level. When `minFaceSize` would start the pyramid above it, the first scale is
 * lowered to fit (faces smaller than `12 / scale` working pixels are then not looked for); later levels
 * follow by `factor` as usual. 5 MP is the first level of a 13.5 MP image at the reference min face of 20.
 */
export const PNET_MAX_LEVEL_PIXELS = 5_000_000;

/**
 * Working images above this size, and every downscaled one (the caller's full-size image already costs
 * 3 bytes per original pixel), read area sums from the pixels instead of a 12-byte-per-pixel table.
 */
const INTEGRAL_MAX_PIXELS = RETAINED_PIXELS;

/**
 * P-Net runs on levels up to this size at once; larger levels in tiles of at most this many output cells
 * per side (input 2·n + 10 = 260 px), which bounds onnxruntime's activation memory (≈ 120 bytes per input
 * pixel, 8 MB per tile) independently of the image size. Tiles give the whole level's values.
 */
const PNET_TILE_CELLS = 125;
const PNET_TILE_PIXELS = (2 * PNET_TILE_CELLS + 10) ** 2;

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

const DEFAULTS = {
  minFaceSize: DEFAULT_MIN_FACE_SIZE,
  thresholds: [0.6, 0.7, 0.7] as const,
  factor: 0.709,
  maxFaces: Number.POSITIVE_INFINITY,
  edgeMode: 'zero-fill' as EdgeMode,
};

class MtcnnDetector implements Detector {
  readonly modelIds: readonly [string, string, string];
  readonly #pnet: OnnxModel;
  readonly #rnet: OnnxModel;
  readonly #onet: OnnxModel;
  readonly #defaults: DetectOptions;
  readonly #logger: Logger | undefined;
  readonly #integral = new IntegralImage();
  #source: AreaSource = this.#integral;
  readonly #rLayout: TensorLayout;
  readonly #oLayout: TensorLayout;
  #pBuffer = new Float32Array(0);
  #rBuffer = new Float32Array(0);
  #oBuffer = new Float32Array(0);
  #queue: Promise<unknown> = Promise.resolve();
  #pyramidMs = 0;
  #pnetMs = 0;

  constructor(pnet: OnnxModel, rnet: OnnxModel, onet: OnnxModel, defaults: DetectOptions, logger?: Logger) {
    this.modelIds = [pnet.entry.id, rnet.entry.id, onet.entry.id];
    this.#pnet = pnet;
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
    if (this.#pBuffer.length > RETAINED_PIXELS * 3) this.#pBuffer = new Float32Array(0);
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
        pnetOther: t2 - t1 - this.#pyramidMs - this.#pnetMs,
        rnet: t3 - t2,
        onet: t4 - t3,
      },
    });
    const kept = faces.slice(0, o.maxFaces);
    return k * sx === 1 && k * sy === 1 ? kept : kept.map((d) => scaleDetection(d, k * sx, k * sy));
  }

  /** Stage 1: P-Net over the pyramid, NMS 0.5 per scale, 0.7 across scales, regression, squaring. */
  async #proposals(w: number, h: number, minSize: number, factor: number, threshold: number) {
    const m = Math.min(12 / minSize, Math.sqrt(PNET_MAX_LEVEL_PIXELS / (w * h)));
    let minl = Math.min(h, w) * m;
    const scales: number[] = [];
    let scale = m;
    while (minl >= 12) {
      scales.push(scale);
      scale *= factor;
      minl *= factor;
    }
    const all: Candidate[] = [];
    for (const s of scales) {
      const hs = Math.trunc(h * s + 1);
      const ws = Math.trunc(w * s + 1);
      let boxes: Candidate[] = [];
      if (ws * hs <= PNET_TILE_PIXELS) {
        const { prob, reg, outW, outH } = await this.#pnetRun(w, h, ws, hs);
        generateBoundingBoxes(prob, reg, outW, outH, s, threshold, boxes);
      } else {
        boxes = await this.#pnetTiled(w, h, ws, hs, s, threshold);
      }
      for (const b of nmsUnion(boxes, 0.5)) all.push(b);
    }
    const picked = nmsUnion(all, 0.7);
    for (const c of picked) {
      applyPnetRegression(c);
      square(c);
    }
    return picked;
  }

  /** P-Net on the window `[x0, x0 + tw) × [y0, y0 + th)` of the `ws`×`hs` pyramid level (whole by default). */
  async #pnetRun(w: number, h: number, ws: number, hs: number, x0 = 0, y0 = 0, tw = ws, th = hs) {
    const layout = tensorLayout(this.#pnet.entry.preprocessing, tw, th);
    if (this.#pBuffer.length < layout.sampleSize) this.#pBuffer = new Float32Array(layout.sampleSize);
    const input = this.#pBuffer.subarray(0, layout.sampleSize);
    const r0 = performance.now();
    const window = { fullWidth: ws, fullHeight: hs, col0: x0, row0: y0 };
    this.#source.resizeInto(0, 0, w, h, layout, input, 0, window);
    const r1 = performance.now();
    const inputName = this.#pnet.entry.inputs[0]?.name ?? 'input';
    const result = await this.#pnet.run({ [inputName]: { data: input, dims: layout.dims(1) } });
    this.#pyramidMs += r1 - r0;
    this.#pnetMs += performance.now() - r1;
    const prob = output(result, 'prob');
    const reg = output(result, 'reg');
    return { prob: prob.data, reg: reg.data, outW: prob.dims[3] ?? 0, outH: prob.dims[2] ?? 0 };
  }

  /**
   * P-Net over a large level in tiles, with the candidates one run over the whole level gives, in the same
   * (row-major) order, so NMS breaks score ties alike. Output cell (x, y) sees input
   * `[2x, 2x + 12) × [2y, 2y + 12)`, so a tile of cells `[c0, c1)` needs input `[2·c0, 2·c1 + 10)`; the last
   * tile runs to the level's edge, where the ceil-mode pooling of the whole level sees the same partial
   * window.
   */
  async #pnetTiled(w: number, h: number, ws: number, hs: number, scale: number, threshold: number) {
    // Conv 3×3, max-pool 2/2 (ceil), conv 3×3, conv 3×3.
    const outW = Math.ceil((ws - 2) / 2) - 4;
    const outH = Math.ceil((hs - 2) / 2) - 4;
    const all: Candidate[] = [];
    for (let cy0 = 0; cy0 < outH; cy0 += PNET_TILE_CELLS) {
      const cy1 = Math.min(cy0 + PNET_TILE_CELLS, outH);
      const y0 = 2 * cy0;
      const th = Math.min(2 * cy1 + 10, hs) - y0;
      const band: Candidate[] = [];
      const rows: number[] = [];
      for (let cx0 = 0; cx0 < outW; cx0 += PNET_TILE_CELLS) {
        const cx1 = Math.min(cx0 + PNET_TILE_CELLS, outW);
        const x0 = 2 * cx0;
        const tw = Math.min(2 * cx1 + 10, ws) - x0;
        const tile = await this.#pnetRun(w, h, ws, hs, x0, y0, tw, th);
        if (tile.outW !== cx1 - cx0 || tile.outH !== cy1 - cy0) {
          throw new ModelSignatureError(
            `P-Net gave ${tile.outW}×${tile.outH} cells for a ${tw}×${th} tile, expected ${cx1 - cx0}×${cy1 - cy0}`,
          );
        }
        generateBoundingBoxes(
          tile.prob,
          tile.reg,
          tile.outW,
          tile.outH,
          scale,
          threshold,
          band,
          cx0,
          cy0,
          rows,
        );
      }
      // Tiles of a band are row-major each and left to right: a stable sort by row restores level order.
      const order = band.map((_, i) => i).sort((a, b) => (rows[a] ?? 0) - (rows[b] ?? 0));
      for (const i of order) {
        const c = band[i];
        if (c !== undefined) all.push(c);
      }
    }
    return all;
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
    const batch = Math.min(regions.length, MAX_CROPS_PER_RUN[model === this.#rnet ? 'rnet' : 'onet']);
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
      const score = prob[2 * k + 1] ?? 0;
      if (!(score > threshold)) return;
      passed.push({
        x1: b.x1,
        y1: b.y1,
        x2: b.x2,
        y2: b.y2,
        score,
        r0: reg[4 * k] ?? 0,
        r1: reg[4 * k + 1] ?? 0,
        r2: reg[4 * k + 2] ?? 0,
        r3: reg[4 * k + 3] ?? 0,
      });
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
      const score = prob[2 * k + 1] ?? 0;
      if (!(score > threshold)) return;
      const c: Candidate = {
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
  const { manifest, modelsDir, logger, defaults = {}, ...load } = options;
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
  return new MtcnnDetector(pnet, rnet, onet, parsed.data, logger);
}
