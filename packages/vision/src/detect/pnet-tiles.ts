// P-Net's pyramid as a list of independent tile jobs, and the code that runs one job. The detector runs
// the jobs in its own thread or hands them to worker threads (`pnet-pool.ts`); both use `PnetTileRunner`,
// so a tile's candidates are the same wherever it runs, and `mergeTiles` restores the sequential order.
import { ModelSignatureError, type OnnxModel } from '../onnx/index.ts';
import { type TensorLayout, tensorLayout } from '../onnx/layout.ts';
import { type AreaSource, type Candidate, generateBoundingBoxes } from './mtcnn.ts';

/**
 * Largest P-Net pyramid level. When `minFaceSize` would start the pyramid above it, the first scale is
 * lowered to fit (faces smaller than `12 / scale` working pixels are then not looked for); later levels
 * follow by `factor` as usual. 5 MP is the first level of a 13.5 MP image at the reference min face of 20.
 */
export const PNET_MAX_LEVEL_PIXELS = 5_000_000;

/**
 * P-Net runs on levels up to this size at once; larger levels in tiles of at most this many output cells
 * per side (input 2·n + 10 = 260 px), which bounds onnxruntime's activation memory (≈ 120 bytes per input
 * pixel, 8 MB per tile) independently of the image size. Tiles give the whole level's values.
 */
const PNET_TILE_CELLS = 125;
const PNET_TILE_PIXELS = (2 * PNET_TILE_CELLS + 10) ** 2;

/**
 * One P-Net run: the window `[x0, x0 + tw) × [y0, y0 + th)` of the `ws`×`hs` resize of the `w`×`h` working
 * image, whose output cells start at `(cx0, cy0)` of the level. `cells` is the cell count a tile of a
 * tiled level must produce (undefined for a level run whole).
 */
export interface TileJob {
  level: number;
  band: number;
  w: number;
  h: number;
  ws: number;
  hs: number;
  x0: number;
  y0: number;
  tw: number;
  th: number;
  cx0: number;
  cy0: number;
  cells: [number, number] | null;
  scale: number;
  threshold: number;
}

/** A job's candidates in row-major order and the level row of each. */
export interface TileResult {
  candidates: Candidate[];
  rows: number[];
}

/**
 * The pyramid's jobs in the order the sequential detector runs them: levels by decreasing scale, a tiled
 * level band by band (rows of tiles), each band left to right. Output cell (x, y) sees input
 * `[2x, 2x + 12) × [2y, 2y + 12)`, so a tile of cells `[c0, c1)` needs input `[2·c0, 2·c1 + 10)`; the last
 * tile runs to the level's edge, where the ceil-mode pooling of the whole level sees the same partial window.
 */
export function pnetJobs(
  w: number,
  h: number,
  minSize: number,
  factor: number,
  threshold: number,
): TileJob[] {
  const m = Math.min(12 / minSize, Math.sqrt(PNET_MAX_LEVEL_PIXELS / (w * h)));
  let minl = Math.min(h, w) * m;
  const scales: number[] = [];
  let scale = m;
  while (minl >= 12) {
    scales.push(scale);
    scale *= factor;
    minl *= factor;
  }
  const jobs: TileJob[] = [];
  scales.forEach((s, level) => {
    const hs = Math.trunc(h * s + 1);
    const ws = Math.trunc(w * s + 1);
    const common = { level, w, h, ws, hs, scale: s, threshold };
    if (ws * hs <= PNET_TILE_PIXELS) {
      jobs.push({ ...common, band: 0, x0: 0, y0: 0, tw: ws, th: hs, cx0: 0, cy0: 0, cells: null });
      return;
    }
    // Conv 3×3, max-pool 2/2 (ceil), conv 3×3, conv 3×3.
    const outW = Math.ceil((ws - 2) / 2) - 4;
    const outH = Math.ceil((hs - 2) / 2) - 4;
    let band = 0;
    for (let cy0 = 0; cy0 < outH; cy0 += PNET_TILE_CELLS, band++) {
      const cy1 = Math.min(cy0 + PNET_TILE_CELLS, outH);
      const y0 = 2 * cy0;
      const th = Math.min(2 * cy1 + 10, hs) - y0;
      for (let cx0 = 0; cx0 < outW; cx0 += PNET_TILE_CELLS) {
        const cx1 = Math.min(cx0 + PNET_TILE_CELLS, outW);
        const x0 = 2 * cx0;
        const tw = Math.min(2 * cx1 + 10, ws) - x0;
        jobs.push({ ...common, band, x0, y0, tw, th, cx0, cy0, cells: [cx1 - cx0, cy1 - cy0] });
      }
    }
  });
  return jobs;
}

/**
 * Each level's candidates in the order one run over the whole level gives (row-major), so NMS breaks
 * score ties alike: the tiles of a band are row-major each and left to right, and a stable sort by row
 * restores level order. `results[i]` belongs to `jobs[i]`.
 */
export function mergeTiles(jobs: readonly TileJob[], results: readonly TileResult[]): Candidate[][] {
  const levels: Candidate[][] = [];
  let i = 0;
  while (i < jobs.length) {
    const first = jobs[i];
    if (first === undefined) break;
    const band: Candidate[] = [];
    const rows: number[] = [];
    const start = i;
    for (; i < jobs.length; i++) {
      const job = jobs[i];
      if (job === undefined || job.level !== first.level || job.band !== first.band) break;
      const r = results[i];
      if (r === undefined) continue;
      for (const c of r.candidates) band.push(c);
      for (const y of r.rows) rows.push(y);
    }
    const level = levels[first.level] ?? [];
    levels[first.level] = level;
    // One tile (a level run whole) is in level order already.
    if (i - start === 1) {
      for (const c of band) level.push(c);
      continue;
    }
    const order = band.map((_, k) => k).sort((a, b) => (rows[a] ?? 0) - (rows[b] ?? 0));
    for (const k of order) {
      const c = band[k];
      if (c !== undefined) level.push(c);
    }
  }
  return levels;
}

/** Runs {@link TileJob}s on one P-Net session, reusing one input buffer. */
export class PnetTileRunner {
  readonly #model: OnnxModel;
  readonly #inputName: string;
  #buffer = new Float32Array(0);
  /** Milliseconds spent resizing and in P-Net since the last {@link PnetTileRunner.resetTimes}. */
  resizeMs = 0;
  pnetMs = 0;

  constructor(model: OnnxModel) {
    this.#model = model;
    this.#inputName = model.entry.inputs[0]?.name ?? 'input';
  }

  resetTimes(): void {
    this.resizeMs = 0;
    this.pnetMs = 0;
  }

  /** Resizes the job's window out of `source`, runs P-Net and pushes the candidates above the threshold. */
  async run(source: AreaSource, job: TileJob, into: TileResult): Promise<void> {
    const layout = tensorLayout(this.#model.entry.preprocessing, job.tw, job.th);
    if (this.#buffer.length < layout.sampleSize) this.#buffer = new Float32Array(layout.sampleSize);
    const input = this.#buffer.subarray(0, layout.sampleSize);
    const r0 = performance.now();
    const window = { fullWidth: job.ws, fullHeight: job.hs, col0: job.x0, row0: job.y0 };
    source.resizeInto(0, 0, job.w, job.h, layout, input, 0, window);
    const r1 = performance.now();
    const result = await this.#model.run({ [this.#inputName]: { data: input, dims: layout.dims(1) } });
    this.resizeMs += r1 - r0;
    this.pnetMs += performance.now() - r1;
    const prob = result.prob;
    const reg = result.reg;
    if (prob === undefined || reg === undefined)
      throw new ModelSignatureError('P-Net output prob or reg missing');
    const outW = prob.dims[3] ?? 0;
    const outH = prob.dims[2] ?? 0;
    if (job.cells !== null && (outW !== job.cells[0] || outH !== job.cells[1])) {
      throw new ModelSignatureError(
        `P-Net gave ${outW}×${outH} cells for a ${job.tw}×${job.th} tile, expected ${job.cells[0]}×${job.cells[1]}`,
      );
    }
    generateBoundingBoxes(
      prob.data,
      reg.data,
      outW,
      outH,
      job.scale,
      job.threshold,
      into.candidates,
      job.cx0,
      job.cy0,
      into.rows,
    );
  }

  /** Frees the input buffer when it holds more than `keepFloats`. */
  trim(keepFloats: number): void {
    if (this.#buffer.length > keepFloats) this.#buffer = new Float32Array(0);
  }
}

/** Regions packed four integers each (x0, y0, w, h), the form crop jobs travel in. */
export function packRegions(
  regions: readonly { x0: number; y0: number; w: number; h: number }[],
): Int32Array<ArrayBuffer> {
  const packed = new Int32Array(regions.length * 4);
  regions.forEach((r, k) => {
    packed.set([r.x0, r.y0, r.w, r.h], 4 * k);
  });
  return packed;
}

/** Runs R-Net or O-Net over one batch of crops on one session, reusing one input buffer. */
export class CropRunner {
  readonly #model: OnnxModel;
  readonly #inputName: string;
  readonly #layout: TensorLayout;
  #buffer = new Float32Array(0);

  constructor(model: OnnxModel) {
    this.#model = model;
    this.#inputName = model.entry.inputs[0]?.name ?? 'input';
    const [w, h] = model.entry.preprocessing.size ?? [24, 24];
    this.#layout = tensorLayout(model.entry.preprocessing, w, h);
  }

  /** Each output of the batch `regions` (packed by {@link packRegions}), in the model's output order. */
  async run(source: AreaSource, regions: Int32Array): Promise<Record<string, Float32Array<ArrayBuffer>>> {
    const layout = this.#layout;
    const n = regions.length >> 2;
    if (this.#buffer.length < n * layout.sampleSize) this.#buffer = new Float32Array(n * layout.sampleSize);
    const input = this.#buffer;
    for (let k = 0; k < n; k++) {
      const x0 = regions[4 * k] ?? 0;
      const y0 = regions[4 * k + 1] ?? 0;
      const w = regions[4 * k + 2] ?? 0;
      const h = regions[4 * k + 3] ?? 0;
      source.resizeInto(x0, y0, w, h, layout, input, k * layout.sampleSize);
    }
    const data = input.subarray(0, n * layout.sampleSize);
    const result = await this.#model.run({ [this.#inputName]: { data, dims: layout.dims(n) } });
    const out: Record<string, Float32Array<ArrayBuffer>> = {};
    for (const name of this.#model.outputNames) {
      const t = result[name];
      if (t === undefined)
        throw new ModelSignatureError(`model ${this.#model.entry.id} output ${name} missing`);
      out[name] = new Float32Array(t.data);
    }
    return out;
  }
}
