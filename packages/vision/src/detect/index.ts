import type { Manifest, ModelEntry, ModelRole } from '@frs/models/manifest';
import { z } from 'zod';
import { type LoadModelOptions, loadModel, ModelSignatureError, type OnnxModel } from '../onnx/index.ts';
import { type TensorLayout, tensorLayout } from '../onnx/layout.ts';
import type { Detection, Logger, Point, RgbImage } from '../types.ts';
import {
  applyPnetRegression,
  applyRegression,
  areaResizeInto,
  type Candidate,
  type CropRegion,
  cropRegion,
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
  })
  .partial();

/** Detection options; every field is optional. */
export type DetectOptions = z.input<typeof DetectOptionsSchema>;

/** Raised for invalid detection options or an invalid input image. */
export class DetectInputError extends Error {
  readonly code = 'DETECT_INPUT';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DetectInputError';
  }
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

function entryFor(manifest: Manifest, role: ModelRole): ModelEntry {
  const entries = manifest.models.filter((m) => m.role === role);
  const entry = entries.find((m) => m.default) ?? entries[0];
  if (entry === undefined) throw new ModelSignatureError(`the manifest has no ${role} model`);
  return entry;
}

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

/** Largest R-/O-Net batch per onnxruntime run; bounds memory on frames with thousands of proposals. */
const MAX_CROPS_PER_RUN = 128;

const DEFAULTS = {
  minFaceSize: 20,
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
    };
    const { width: w, height: h } = image;
    if (!(w > 0 && h > 0 && image.data.length === w * h * 3)) {
      throw new DetectInputError(`image data has ${image.data.length} bytes, expected ${w}×${h}×3`);
    }
    const t0 = performance.now();
    this.#integral.build(image);
    this.#pyramidMs = 0;
    this.#pnetMs = 0;
    const t1 = performance.now();
    const proposals = await this.#proposals(w, h, o.minFaceSize, o.factor, o.thresholds[0]);
    const t2 = performance.now();
    const refined =
      proposals.length > 0 ? await this.#refine(proposals, w, h, o.thresholds[1], o.edgeMode) : [];
    const t3 = performance.now();
    const faces = refined.length > 0 ? await this.#output(refined, w, h, o.thresholds[2], o.edgeMode) : [];
    const t4 = performance.now();
    // Per-stage profile for benchmarks and slow-frame diagnosis (debug level only).
    this.#logger?.debug('mtcnn', {
      width: w,
      height: h,
      proposals: proposals.length,
      refined: refined.length,
      faces: faces.length,
      ms: {
        integral: t1 - t0,
        pyramidResize: this.#pyramidMs,
        pnet: this.#pnetMs,
        pnetOther: t2 - t1 - this.#pyramidMs - this.#pnetMs,
        rnet: t3 - t2,
        onet: t4 - t3,
      },
    });
    return faces.slice(0, o.maxFaces);
  }

  /** Stage 1: P-Net over the pyramid, NMS 0.5 per scale, 0.7 across scales, regression, squaring. */
  async #proposals(w: number, h: number, minSize: number, factor: number, threshold: number) {
    const m = 12 / minSize;
    let minl = Math.min(h, w) * m;
    const scales: number[] = [];
    let scale = m;
    while (minl >= 12) {
      scales.push(scale);
      scale *= factor;
      minl *= factor;
    }
    const all: Candidate[] = [];
    const prep = this.#pnet.entry.preprocessing;
    const inputName = this.#pnet.entry.inputs[0]?.name ?? 'input';
    for (const s of scales) {
      const hs = Math.trunc(h * s + 1);
      const ws = Math.trunc(w * s + 1);
      const layout = tensorLayout(prep, ws, hs);
      if (this.#pBuffer.length < layout.sampleSize) this.#pBuffer = new Float32Array(layout.sampleSize);
      const input = this.#pBuffer.subarray(0, layout.sampleSize);
      const r0 = performance.now();
      areaResizeInto(this.#integral, 0, 0, w, h, layout, input, 0);
      const r1 = performance.now();
      const result = await this.#pnet.run({ [inputName]: { data: input, dims: layout.dims(1) } });
      this.#pyramidMs += r1 - r0;
      this.#pnetMs += performance.now() - r1;
      const prob = output(result, 'prob');
      const reg = output(result, 'reg');
      const outH = prob.dims[2] ?? 0;
      const outW = prob.dims[3] ?? 0;
      const boxes: Candidate[] = [];
      generateBoundingBoxes(prob.data, reg.data, outW, outH, s, threshold, boxes);
      for (const b of nmsUnion(boxes, 0.5)) all.push(b);
    }
    const picked = nmsUnion(all, 0.7);
    for (const c of picked) {
      applyPnetRegression(c);
      square(c);
    }
    return picked;
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
    const batch = Math.min(regions.length, MAX_CROPS_PER_RUN);
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
        areaResizeInto(this.#integral, r.x0, r.y0, r.w, r.h, layout, input, k * layout.sampleSize);
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
  const loadOptions: LoadModelOptions = logger ? { ...load, logger } : load;
  const [pnet, rnet, onet] = await Promise.all([
    loadModel(entryFor(manifest, 'mtcnn-pnet'), modelsDir, loadOptions),
    loadModel(entryFor(manifest, 'mtcnn-rnet'), modelsDir, loadOptions),
    loadModel(entryFor(manifest, 'mtcnn-onet'), modelsDir, loadOptions),
  ]);
  requireOutputs(pnet, ['prob', 'reg']);
  requireOutputs(rnet, ['prob', 'reg']);
  requireOutputs(onet, ['prob', 'reg', 'landmarks']);
  const parsed = DetectOptionsSchema.safeParse(defaults);
  if (!parsed.success) throw new DetectInputError(`invalid default detect options: ${parsed.error.message}`);
  return new MtcnnDetector(pnet, rnet, onet, parsed.data, logger);
}
