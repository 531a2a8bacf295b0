import type { Alignment } from '@frs/models/manifest';
import { VisionError } from '../errors.ts';
import type { Detection, FaceChip, Point, RgbImage } from '../types.ts';

/**
 * A 2-D similarity (rotation, uniform scale, translation) as the affine matrix
 * `[[a, -b, tx], [b, a, ty]]`: `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty`.
 */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Options for {@link alignFace}. */
export interface AlignOptions {
  /** What the warp samples outside the image: zero (black, default) or the nearest edge pixel. */
  border?: 'zero' | 'replicate';
}

/** Raised when alignment inputs are unusable (degenerate landmarks, mismatched point counts). */
export class AlignmentError extends VisionError {
  override readonly code = 'ALIGNMENT';
}

/**
 * Least-squares similarity transform mapping `src` onto `dst` (Umeyama 1991 without reflection; in 2-D
 * it has this closed form, identical to scikit-image's `SimilarityTransform.estimate`).
 *
 * @example
 * ```ts
 * const t = similarityTransform(detection.landmarks, template);
 * const [x, y] = applySimilarity(t, detection.landmarks[0]); // ≈ template[0]
 * ```
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  if (n < 2 || dst.length !== n) {
    throw new AlignmentError(`need at least 2 matching point pairs, got ${n} and ${dst.length}`);
  }
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const s = src[i] ?? [0, 0];
    const d = dst[i] ?? [0, 0];
    sx += s[0];
    sy += s[1];
    dx += d[0];
    dy += d[1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let norm = 0;
  let dot = 0;
  let cross = 0;
  for (let i = 0; i < n; i++) {
    const s = src[i] ?? [0, 0];
    const d = dst[i] ?? [0, 0];
    const px = s[0] - sx;
    const py = s[1] - sy;
    const qx = d[0] - dx;
    const qy = d[1] - dy;
    norm += px * px + py * py;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
  }
  if (!(norm > 1e-12)) throw new AlignmentError('source points are all identical');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/**
 * Applies a similarity to a point.
 *
 * @example
 * ```ts
 * applySimilarity({ a: 2, b: 0, tx: 1, ty: 1 }, [3, 4]); // [7, 9]
 * ```
 */
export function applySimilarity(t: Similarity, p: Point): Point {
  return [t.a * p[0] - t.b * p[1] + t.tx, t.b * p[0] + t.a * p[1] + t.ty];
}

/**
 * Bilinear warp: output pixel (u, v) samples the source at `inverse(t)(u, v)` (pixel centres at integer
 * coordinates, like OpenCV's `warpAffine`).
 *
 * @example
 * ```ts
 * const chip = warpSimilarity(image, similarityTransform(landmarks, template), 112, 112);
 * ```
 */
export function warpSimilarity(
  image: RgbImage,
  t: Similarity,
  width: number,
  height: number,
  border: 'zero' | 'replicate' = 'zero',
): RgbImage {
  const det = t.a * t.a + t.b * t.b;
  if (!(det > 0)) throw new AlignmentError('degenerate transform');
  // Inverse of [[a, -b], [b, a]] is [[a, b], [-b, a]] / det.
  const ia = t.a / det;
  const ib = t.b / det;
  const itx = -(ia * t.tx + ib * t.ty);
  const ity = -(-ib * t.tx + ia * t.ty);
  const { width: w, height: h, data: src } = image;
  const out = new Uint8Array(width * height * 3);
  const replicate = border === 'replicate';
  const at = (xi: number, yi: number, c: number): number => {
    if (xi < 0 || yi < 0 || xi >= w || yi >= h) {
      if (!replicate) return 0;
      xi = xi < 0 ? 0 : xi >= w ? w - 1 : xi;
      yi = yi < 0 ? 0 : yi >= h ? h - 1 : yi;
    }
    return src[(yi * w + xi) * 3 + c] ?? 0;
  };
  let o = 0;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const x = ia * u + ib * v + itx;
      const y = -ib * u + ia * v + ity;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
        const p00 = (y0 * w + x0) * 3;
        const p10 = p00 + w * 3;
        for (let c = 0; c < 3; c++) {
          out[o++] = Math.round(
            w00 * (src[p00 + c] ?? 0) +
              w01 * (src[p00 + 3 + c] ?? 0) +
              w10 * (src[p10 + c] ?? 0) +
              w11 * (src[p10 + 3 + c] ?? 0),
          );
        }
      } else {
        for (let c = 0; c < 3; c++) {
          out[o++] = Math.round(
            w00 * at(x0, y0, c) +
              w01 * at(x0 + 1, y0, c) +
              w10 * at(x0, y0 + 1, c) +
              w11 * at(x0 + 1, y0 + 1, c),
          );
        }
      }
    }
  }
  return { width, height, data: out };
}

/**
 * The transform the original system's `margin-crop` uses: the detection box grown by `margin` pixels in
 * total (half on each side), clamped to the image, scaled to the output size.
 */
function marginCropTransform(
  image: RgbImage,
  detection: Detection,
  margin: number,
  size: readonly [number, number],
) {
  const [x1, y1, x2, y2] = detection.box;
  const left = Math.trunc(Math.max(x1 - margin / 2, 0));
  const top = Math.trunc(Math.max(y1 - margin / 2, 0));
  const right = Math.trunc(Math.min(x2 + margin / 2, image.width));
  const bottom = Math.trunc(Math.min(y2 + margin / 2, image.height));
  const cw = Math.max(right - left, 1);
  const ch = Math.max(bottom - top, 1);
  // Pixel-centre mapping of [left, right) onto [0, size): x' = (x - left + 0.5) * s - 0.5.
  const sx = size[0] / cw;
  const sy = size[1] / ch;
  return { sx, sy, ox: (0.5 - left) * sx - 0.5, oy: (0.5 - top) * sy - 0.5, left, top, right, bottom };
}

function warpScale(
  image: RgbImage,
  m: {
    sx: number;
    sy: number;
    ox: number;
    oy: number;
    left: number;
    top: number;
    right: number;
    bottom: number;
  },
  width: number,
  height: number,
): RgbImage {
  const { width: w, data: src } = image;
  const out = new Uint8Array(width * height * 3);
  // Sampling stays inside the crop, like resizing the cropped image would.
  const maxX = Math.max(m.right - 1, m.left);
  const maxY = Math.max(m.bottom - 1, m.top);
  let o = 0;
  for (let v = 0; v < height; v++) {
    const y = Math.min(Math.max((v - m.oy) / m.sy, m.top), maxY);
    const y0 = Math.floor(y);
    const y1 = Math.min(y0 + 1, maxY);
    const fy = y - y0;
    for (let u = 0; u < width; u++) {
      const x = Math.min(Math.max((u - m.ox) / m.sx, m.left), maxX);
      const x0 = Math.floor(x);
      const x1 = Math.min(x0 + 1, maxX);
      const fx = x - x0;
      for (let c = 0; c < 3; c++) {
        const p00 = src[(y0 * w + x0) * 3 + c] ?? 0;
        const p01 = src[(y0 * w + x1) * 3 + c] ?? 0;
        const p10 = src[(y1 * w + x0) * 3 + c] ?? 0;
        const p11 = src[(y1 * w + x1) * 3 + c] ?? 0;
        const top = p00 + (p01 - p00) * fx;
        const bottom = p10 + (p11 - p10) * fx;
        out[o++] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Produces the embedder's input chip for one detection as the manifest's alignment describes:
 * `similarity5` warps the 5 landmarks onto the template (bilinear), `margin-crop` resizes the box plus a
 * margin like the original system did.
 *
 * @example
 * ```ts
 * const embedder = await createEmbedder({ manifest, modelsDir: modelsDir() });
 * const chip = alignFace(image, faces[0], embedder.alignment);
 * const [embedding] = await embedder.embed([chip]);
 * ```
 */
export function alignFace(
  image: RgbImage,
  detection: Detection,
  alignment: Alignment,
  options: AlignOptions = {},
): FaceChip {
  const [width, height] = alignment.size;
  if (alignment.kind === 'similarity5') {
    const template = alignment.template.map(([x, y]): Point => [x, y]);
    const t = similarityTransform(detection.landmarks, template);
    return { ...warpSimilarity(image, t, width, height, options.border ?? 'zero'), detection };
  }
  const m = marginCropTransform(image, detection, alignment.margin, alignment.size);
  return { ...warpScale(image, m, width, height), detection };
}
