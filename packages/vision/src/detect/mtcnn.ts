// Building blocks of MTCNN as implemented by facenet-pytorch (`models/utils/detect_face.py`), kept
// numerically faithful: box arithmetic is rounded to float32 (`f`) where the reference works on float32
// tensors, and the 1-based `pad` quirks are reproduced.
import type { TensorLayout } from '../onnx/layout.ts';
import type { RgbImage } from '../types.ts';

const f = Math.fround;

/** A candidate box with its score and the regression offsets of the stage that produced it. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  r0: number;
  r1: number;
  r2: number;
  r3: number;
}

/**
 * Part of a resize output: the pixels `[col0, col0 + layout.width) × [row0, row0 + layout.height)` of a
 * resize to `fullWidth × fullHeight`. Lets a large pyramid level be produced tile by tile with exactly the
 * values the whole level would have.
 */
export interface OutputWindow {
  fullWidth: number;
  fullHeight: number;
  col0: number;
  row0: number;
}

/**
 * Where {@link areaResizeInto} reads its pixel sums. Both implementations produce bit-identical results:
 * the sums are exact integers and the normalisation is the same expression.
 */
export interface AreaSource {
  readonly width: number;
  readonly height: number;
  /** See {@link areaResizeInto}. */
  resizeInto(
    x0: number,
    y0: number,
    rw: number,
    rh: number,
    layout: TensorLayout,
    out: Float32Array,
    offset: number,
    window?: OutputWindow,
  ): void;
}

/**
 * Summed-area table of an RGB image, `(w + 1) × (h + 1) × 3`. Stored as int32 and differenced modulo
 * 2^32 (`| 0`): every rectangle the detector sums is far below 2^31, so the result is exact for any image
 * size, and the arithmetic stays in V8's fast int32 path. Costs 12 bytes per pixel, so the detector uses
 * it only up to a pixel budget and {@link DirectArea} above it.
 */
export class IntegralImage implements AreaSource {
  width = 0;
  height = 0;
  sums: Int32Array = new Int32Array(0);
  readonly #shared: boolean;

  /** `shared`: the table lives in a `SharedArrayBuffer`, so worker threads can read it without a copy. */
  constructor(shared = false) {
    this.#shared = shared;
  }

  build(image: RgbImage): void {
    const { width: w, height: h, data } = image;
    const stride = (w + 1) * 3;
    const size = stride * (h + 1);
    if (this.sums.length < size) {
      this.sums = this.#shared ? new Int32Array(new SharedArrayBuffer(size * 4)) : new Int32Array(size);
    }
    const s = this.sums;
    s.fill(0, 0, stride);
    for (let y = 0; y < h; y++) {
      const prev = y * stride;
      const row = prev + stride;
      s[row] = 0;
      s[row + 1] = 0;
      s[row + 2] = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      let src = y * w * 3;
      const end = src + w * 3;
      let dst = row + 3;
      let up = prev + 3;
      for (; src < end; src += 3) {
        r = (r + (data[src] ?? 0)) | 0;
        g = (g + (data[src + 1] ?? 0)) | 0;
        b = (b + (data[src + 2] ?? 0)) | 0;
        s[dst] = (r + (s[up] ?? 0)) | 0;
        s[dst + 1] = (g + (s[up + 1] ?? 0)) | 0;
        s[dst + 2] = (b + (s[up + 2] ?? 0)) | 0;
        dst += 3;
        up += 3;
      }
    }
    this.width = w;
    this.height = h;
  }

  resizeInto(
    x0: number,
    y0: number,
    rw: number,
    rh: number,
    layout: TensorLayout,
    out: Float32Array,
    offset: number,
    window?: OutputWindow,
  ): void {
    areaResizeInto(this, x0, y0, rw, rh, layout, out, offset, window);
  }

  /** Drops the table when it is larger than `keepElements`, so one huge photo does not pin memory. */
  trim(keepElements: number): void {
    if (this.sums.length > keepElements) {
      this.sums = new Int32Array(0);
      this.width = 0;
      this.height = 0;
    }
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

// Per-column window tables, reused across calls (resizing is synchronous, so sharing is safe).
let colStart = new Int32Array(64);
let colEnd = new Int32Array(64);
let colCount = new Float64Array(64);

function columnWindows(x0: number, rw: number, fullWidth: number, col0: number, ow: number, iw: number) {
  if (colStart.length < ow) {
    colStart = new Int32Array(ow);
    colEnd = new Int32Array(ow);
    colCount = new Float64Array(ow);
  }
  for (let j = 0; j < ow; j++) {
    const a = Math.floor(((col0 + j) * rw) / fullWidth);
    const b = Math.ceil(((col0 + j + 1) * rw) / fullWidth);
    colCount[j] = b - a;
    colStart[j] = clamp(x0 + a, 0, iw);
    colEnd[j] = clamp(x0 + b, 0, iw);
  }
}

/**
 * PyTorch `interpolate(mode="area")` (adaptive average pooling) of the region `[x0, x0 + rw) × [y0, y0 + rh)`
 * of the image to `layout.width × layout.height` (or to the `window` of a larger output), normalised and
 * written into `out` at `offset`. Output pixel i averages source rows `floor(i·rh/oh) … ceil((i+1)·rh/oh) − 1`
 * (same for columns). Parts of the region outside the image count as zero-valued pixels (the original
 * MTCNN's zero padding).
 */
export function areaResizeInto(
  integral: IntegralImage,
  x0: number,
  y0: number,
  rw: number,
  rh: number,
  layout: TensorLayout,
  out: Float32Array,
  offset: number,
  window?: OutputWindow,
): void {
  const { width: ow, height: oh, channelOffset, pixelStride, rowStride, mean, invStd } = layout;
  const fw = window?.fullWidth ?? ow;
  const fh = window?.fullHeight ?? oh;
  const row0 = window?.row0 ?? 0;
  const iw = integral.width;
  const ih = integral.height;
  const stride = (iw + 1) * 3;
  const s = integral.sums;
  columnWindows(x0, rw, fw, window?.col0 ?? 0, ow, iw);
  const cx0 = colStart;
  const cx1 = colEnd;
  const cw = colCount;
  const [o0, o1, o2] = channelOffset;
  const [m0, m1, m2] = mean;
  const [k0, k1, k2] = invStd;
  for (let i = 0; i < oh; i++) {
    const a = Math.floor(((row0 + i) * rh) / fh);
    const b = Math.ceil(((row0 + i + 1) * rh) / fh);
    const rows = b - a;
    const ra = clamp(y0 + a, 0, ih) * stride;
    const rb = clamp(y0 + b, 0, ih) * stride;
    let p = offset + i * rowStride;
    for (let j = 0; j < ow; j++) {
      const xa = (cx0[j] ?? 0) * 3;
      const xb = (cx1[j] ?? 0) * 3;
      const inv = 1 / (rows * (cw[j] ?? 1));
      const sum0 = ((s[rb + xb] ?? 0) - (s[ra + xb] ?? 0) - (s[rb + xa] ?? 0) + (s[ra + xa] ?? 0)) | 0;
      const sum1 =
        ((s[rb + xb + 1] ?? 0) - (s[ra + xb + 1] ?? 0) - (s[rb + xa + 1] ?? 0) + (s[ra + xa + 1] ?? 0)) | 0;
      const sum2 =
        ((s[rb + xb + 2] ?? 0) - (s[ra + xb + 2] ?? 0) - (s[rb + xa + 2] ?? 0) + (s[ra + xa + 2] ?? 0)) | 0;
      out[p + o0] = (sum0 * inv - m0) * k0;
      out[p + o1] = (sum1 * inv - m1) * k1;
      out[p + o2] = (sum2 * inv - m2) * k2;
      p += pixelStride;
    }
  }
}

// Prefix sums of one accumulated row band for DirectArea, reused across calls.
let bandPrefix = new Float64Array(3 * 64);

/**
 * Area sums read straight from the pixels: no table, so no memory beyond the image, at the cost of
 * reading every source pixel of a region once per output row band (≈ 1–2 reads per pixel per pyramid
 * level). Gives exactly the values of {@link IntegralImage}.
 */
export class DirectArea implements AreaSource {
  readonly width: number;
  readonly height: number;
  readonly #data: Uint8Array;

  constructor(image: RgbImage) {
    this.width = image.width;
    this.height = image.height;
    this.#data = image.data;
  }

  resizeInto(
    x0: number,
    y0: number,
    rw: number,
    rh: number,
    layout: TensorLayout,
    out: Float32Array,
    offset: number,
    window?: OutputWindow,
  ): void {
    const { width: ow, height: oh, channelOffset, pixelStride, rowStride, mean, invStd } = layout;
    const fw = window?.fullWidth ?? ow;
    const fh = window?.fullHeight ?? oh;
    const row0 = window?.row0 ?? 0;
    const iw = this.width;
    const ih = this.height;
    const data = this.#data;
    columnWindows(x0, rw, fw, window?.col0 ?? 0, ow, iw);
    const cx0 = colStart;
    const cx1 = colEnd;
    const cw = colCount;
    // Source columns [sx0, sx1) cover every window of this output (windows are monotone).
    const sx0 = cx0[0] ?? 0;
    const sx1 = cx1[ow - 1] ?? 0;
    const span = Math.max(sx1 - sx0, 0);
    if (bandPrefix.length < 3 * (span + 1)) bandPrefix = new Float64Array(3 * (span + 1));
    const pre = bandPrefix;
    const [o0, o1, o2] = channelOffset;
    const [m0, m1, m2] = mean;
    const [k0, k1, k2] = invStd;
    for (let i = 0; i < oh; i++) {
      const a = Math.floor(((row0 + i) * rh) / fh);
      const b = Math.ceil(((row0 + i + 1) * rh) / fh);
      const rows = b - a;
      const ra = clamp(y0 + a, 0, ih);
      const rb = clamp(y0 + b, 0, ih);
      // Column sums over rows [ra, rb), then their running sum: pre[3c + ch] sums columns [sx0, sx0 + c).
      pre.fill(0, 0, 3 * (span + 1));
      for (let y = ra; y < rb; y++) {
        let src = (y * iw + sx0) * 3;
        let q = 3;
        for (let c = 0; c < span; c++) {
          pre[q] = (pre[q] ?? 0) + (data[src] ?? 0);
          pre[q + 1] = (pre[q + 1] ?? 0) + (data[src + 1] ?? 0);
          pre[q + 2] = (pre[q + 2] ?? 0) + (data[src + 2] ?? 0);
          src += 3;
          q += 3;
        }
      }
      for (let q = 3; q < 3 * (span + 1); q++) pre[q] = (pre[q] ?? 0) + (pre[q - 3] ?? 0);
      let p = offset + i * rowStride;
      for (let j = 0; j < ow; j++) {
        const xa = ((cx0[j] ?? 0) - sx0) * 3;
        const xb = ((cx1[j] ?? 0) - sx0) * 3;
        const inv = 1 / (rows * (cw[j] ?? 1));
        const sum0 = (pre[xb] ?? 0) - (pre[xa] ?? 0);
        const sum1 = (pre[xb + 1] ?? 0) - (pre[xa + 1] ?? 0);
        const sum2 = (pre[xb + 2] ?? 0) - (pre[xa + 2] ?? 0);
        out[p + o0] = (sum0 * inv - m0) * k0;
        out[p + o1] = (sum1 * inv - m1) * k1;
        out[p + o2] = (sum2 * inv - m2) * k2;
        p += pixelStride;
      }
    }
  }
}

/**
 * P-Net `generateBoundingBox`: stride 2, cell 12, in float32 like the reference. `cellX0`/`cellY0` place a
 * tile's maps inside its level; `rows`, when given, receives each pushed candidate's level row.
 */
export function generateBoundingBoxes(
  prob: Float32Array,
  reg: Float32Array,
  outW: number,
  outH: number,
  scale: number,
  threshold: number,
  into: Candidate[],
  cellX0 = 0,
  cellY0 = 0,
  rows?: number[],
): void {
  const plane = outW * outH;
  const s = f(scale);
  for (let y = 0; y < outH; y++) {
    const gy = cellY0 + y;
    for (let x = 0; x < outW; x++) {
      const k = y * outW + x;
      const p = prob[plane + k] ?? 0;
      if (p < threshold) continue;
      const gx = cellX0 + x;
      into.push({
        x1: Math.floor(f((2 * gx + 1) / s)),
        y1: Math.floor(f((2 * gy + 1) / s)),
        x2: Math.floor(f((2 * gx + 12) / s)),
        y2: Math.floor(f((2 * gy + 12) / s)),
        score: p,
        r0: reg[k] ?? 0,
        r1: reg[plane + k] ?? 0,
        r2: reg[2 * plane + k] ?? 0,
        r3: reg[3 * plane + k] ?? 0,
      });
      rows?.push(gy);
    }
  }
}

/**
 * torchvision `nms`: IoU without the +1 pixel convention; suppresses overlaps above `threshold`.
 * Returns the kept candidates, highest score first.
 */
export function nmsUnion(boxes: readonly Candidate[], threshold: number): Candidate[] {
  const order = boxes.map((_, i) => i).sort((a, b) => (boxes[b]?.score ?? 0) - (boxes[a]?.score ?? 0));
  return greedyNms(boxes, order, threshold, false);
}

/**
 * facenet-pytorch `nms_numpy(…, 'Min')`: overlap over the smaller box with the +1 pixel convention.
 * Ties are broken like numpy's argsort on small arrays (later index first).
 */
export function nmsMin(boxes: readonly Candidate[], threshold: number): Candidate[] {
  const order = boxes
    .map((_, i) => i)
    .sort((a, b) => (boxes[b]?.score ?? 0) - (boxes[a]?.score ?? 0) || b - a);
  return greedyNms(boxes, order, threshold, true);
}

/**
 * Greedy NMS: a box is kept when no box kept before it (in `order`) overlaps it above `threshold`; that
 * is the classic "keep the best, drop what it overlaps, repeat", which makes the result independent of
 * how the kept boxes are looked up. They are looked up in a uniform grid (cells about one mean box side),
 * so each box is compared with the kept boxes near it only: a crowded frame's tens of thousands of P-Net
 * cells cost near-linear time instead of quadratic. Overlaps use the same float expressions as a full
 * pairwise scan, so the kept set is identical.
 */
function greedyNms(
  boxes: readonly Candidate[],
  order: number[],
  threshold: number,
  min: boolean,
): Candidate[] {
  const one = min ? 1 : 0;
  const n = order.length;
  // Coordinates in score order, packed so the loops touch only typed arrays.
  const x1 = new Float64Array(n);
  const y1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y2 = new Float64Array(n);
  const area = new Float64Array(n);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let sides = 0;
  let finite = 0;
  for (let k = 0; k < n; k++) {
    const c = boxes[order[k] ?? 0];
    if (c === undefined) continue;
    x1[k] = c.x1;
    y1[k] = c.y1;
    x2[k] = c.x2;
    y2[k] = c.y2;
    area[k] = (c.x2 - c.x1 + one) * (c.y2 - c.y1 + one);
    const lox = Math.min(c.x1, c.x2);
    const hix = Math.max(c.x1, c.x2);
    const loy = Math.min(c.y1, c.y2);
    const hiy = Math.max(c.y1, c.y2);
    if (Number.isFinite(lox + hix + loy + hiy)) {
      minX = Math.min(minX, lox);
      minY = Math.min(minY, loy);
      maxX = Math.max(maxX, hix);
      maxY = Math.max(maxY, hiy);
      sides += hix - lox + (hiy - loy);
      finite++;
    }
  }
  if (finite === 0) {
    minX = 0;
    minY = 0;
    maxX = 0;
    maxY = 0;
  }
  // Cells of about one mean box side, enlarged when sparse boxes over a large extent would need too many.
  let cell = Math.max(1, sides / (2 * Math.max(finite, 1)));
  const spanX = maxX - minX + 2 * one;
  const spanY = maxY - minY + 2 * one;
  while ((spanX / cell + 1) * (spanY / cell + 1) > 4 * n + 1024) cell *= 2;
  const gw = Math.floor(spanX / cell) + 1;
  const gh = Math.floor(spanY / cell) + 1;
  const ox = minX - one;
  const oy = minY - one;
  // Per cell, a linked list of the kept boxes that cover it.
  const head = new Int32Array(gw * gh).fill(-1);
  const next: number[] = [];
  const item: number[] = [];
  // Last box index each kept box was compared with, so a box spanning several cells is compared once.
  const seen = new Int32Array(n).fill(-1);
  // Kept boxes with a non-finite coordinate have no cells; every box is compared with them.
  const wild: number[] = [];
  const gx = (v: number) => Math.min(Math.max(Math.floor((v - ox) / cell), 0), gw - 1);
  const gy = (v: number) => Math.min(Math.max(Math.floor((v - oy) / cell), 0), gh - 1);
  const keep: Candidate[] = [];
  for (let k = 0; k < n; k++) {
    const bx1 = x1[k] ?? 0;
    const by1 = y1[k] ?? 0;
    const bx2 = x2[k] ?? 0;
    const by2 = y2[k] ?? 0;
    const areaB = area[k] ?? 0;
    // Any box with a positive intersection (`+ one` included) shares a cell of this widened range.
    const cx0 = gx(Math.min(bx1, bx2) - one);
    const cx1 = gx(Math.max(bx1, bx2) + one);
    const cy0 = gy(Math.min(by1, by2) - one);
    const cy1 = gy(Math.max(by1, by2) + one);
    const suppresses = (i: number) => {
      if (seen[i] === k) return false;
      seen[i] = k;
      const iw = Math.min(x2[i] ?? 0, bx2) - Math.max(x1[i] ?? 0, bx1) + one;
      const ih = Math.min(y2[i] ?? 0, by2) - Math.max(y1[i] ?? 0, by1) + one;
      if (!(iw > 0 && ih > 0)) return false;
      const inter = iw * ih;
      const areaA = area[i] ?? 0;
      const overlap = min ? inter / Math.min(areaA, areaB) : inter / (areaA + areaB - inter);
      return overlap > threshold;
    };
    let suppressed = wild.some(suppresses);
    for (let cy = cy0; cy <= cy1 && !suppressed; cy++) {
      for (let cx = cx0; cx <= cx1 && !suppressed; cx++) {
        for (let e = head[cy * gw + cx] ?? -1; e >= 0 && !suppressed; e = next[e] ?? -1) {
          suppressed = suppresses(item[e] ?? 0);
        }
      }
    }
    if (suppressed) continue;
    const kept = boxes[order[k] ?? 0];
    if (kept !== undefined) keep.push(kept);
    if (!Number.isFinite(bx1 + bx2 + by1 + by2)) {
      wild.push(k);
      continue;
    }
    const ix0 = gx(Math.min(bx1, bx2));
    const ix1 = gx(Math.max(bx1, bx2));
    const iy0 = gy(Math.min(by1, by2));
    const iy1 = gy(Math.max(by1, by2));
    for (let cy = iy0; cy <= iy1; cy++) {
      for (let cx = ix0; cx <= ix1; cx++) {
        const c = cy * gw + cx;
        next.push(head[c] ?? -1);
        item.push(k);
        head[c] = next.length - 1;
      }
    }
  }
  return keep;
}

/** P-Net regression: offsets scaled by the box size without the +1. */
export function applyPnetRegression(c: Candidate): void {
  const w = f(c.x2 - c.x1);
  const h = f(c.y2 - c.y1);
  const x1 = f(c.x1 + f(c.r0 * w));
  const y1 = f(c.y1 + f(c.r1 * h));
  const x2 = f(c.x2 + f(c.r2 * w));
  const y2 = f(c.y2 + f(c.r3 * h));
  c.x1 = x1;
  c.y1 = y1;
  c.x2 = x2;
  c.y2 = y2;
}

/** `bbreg`: R-/O-Net regression, offsets scaled by the box size with the +1. */
export function applyRegression(c: Candidate): void {
  const w = f(f(c.x2 - c.x1) + 1);
  const h = f(f(c.y2 - c.y1) + 1);
  const x1 = f(c.x1 + f(c.r0 * w));
  const y1 = f(c.y1 + f(c.r1 * h));
  const x2 = f(c.x2 + f(c.r2 * w));
  const y2 = f(c.y2 + f(c.r3 * h));
  c.x1 = x1;
  c.y1 = y1;
  c.x2 = x2;
  c.y2 = y2;
}

/** `rerec`: grow the shorter side to make the box square around its centre. */
export function square(c: Candidate): void {
  const h = f(c.y2 - c.y1);
  const w = f(c.x2 - c.x1);
  const l = Math.max(w, h);
  c.x1 = f(f(c.x1 + f(w * 0.5)) - f(l * 0.5));
  c.y1 = f(f(c.y1 + f(h * 0.5)) - f(l * 0.5));
  c.x2 = f(c.x1 + l);
  c.y2 = f(c.y1 + l);
}

/** Integer crop region `[x0, x0 + w) × [y0, y0 + h)` (0-based) for an R-/O-Net input. */
export interface CropRegion {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/**
 * The crop a box feeds to R-/O-Net. `reference`: facenet-pytorch `pad` (truncate, clamp to the image with
 * its 1-based indices), so the part inside the image gets stretched. `zero-fill`: the same truncated box,
 * unclamped; the part outside the image is read as zeros. Undefined when the clamped crop is empty.
 */
export function cropRegion(
  c: Candidate,
  width: number,
  height: number,
  edgeMode: 'reference' | 'zero-fill',
): CropRegion | undefined {
  let x = Math.trunc(c.x1);
  let y = Math.trunc(c.y1);
  let ex = Math.trunc(c.x2);
  let ey = Math.trunc(c.y2);
  const cx = Math.max(x, 1);
  const cy = Math.max(y, 1);
  const cex = Math.min(ex, width);
  const cey = Math.min(ey, height);
  if (!(cey > cy - 1 && cex > cx - 1)) return undefined;
  if (edgeMode === 'reference') {
    x = cx;
    y = cy;
    ex = cex;
    ey = cey;
  }
  return { x0: x - 1, y0: y - 1, w: ex - x + 1, h: ey - y + 1 };
}
