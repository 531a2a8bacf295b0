import { VisionError } from '../errors.ts';
import type { RgbImage } from '../types.ts';

/** Raised when {@link downscaleBox} gets a factor or an image it cannot use. */
export class DownscaleInputError extends VisionError {
  override readonly code = 'DOWNSCALE_INPUT';
}

/**
 * The smallest integer `k` with `floor(width / k)·floor(height / k) ≤ maxPixels` (1 when the image fits).
 *
 * @example
 * ```ts
 * boxFactor(6414, 6236, 13_500_000); // 2
 * ```
 */
export function boxFactor(width: number, height: number, maxPixels: number): number {
  let k = Math.max(1, Math.ceil(Math.sqrt((width * height) / maxPixels)));
  while (Math.floor(width / k) * Math.floor(height / k) > maxPixels) k++;
  return k;
}

/**
 * Integer box downscale: every output pixel is the rounded mean of a `k`×`k` block of the input, so a
 * point at `(x, y)` of the output is at `(k·x, k·y)` of the input (pixel edges, not centres). The last
 * `width mod k` columns and `height mod k` rows are dropped: they hold less than one output pixel.
 *
 * One pass over the input with one output buffer and a row of 32-bit column sums: no float copy of the
 * image, so the memory cost is the output (`3·width·height / k²` bytes) plus `12·width / k` bytes.
 *
 * @throws {DownscaleInputError} when `k` is not a positive integer, the image data does not match its
 *   size, or the image is smaller than one block.
 * @example
 * ```ts
 * const half = downscaleBox(image, 2); // floor(width / 2) × floor(height / 2)
 * ```
 */
export function downscaleBox(image: RgbImage, k: number): RgbImage {
  const { width: w, height: h, data } = image;
  if (!(Number.isInteger(k) && k >= 1))
    throw new DownscaleInputError(`factor ${k} is not a positive integer`);
  if (data.length !== w * h * 3) {
    throw new DownscaleInputError(`image data has ${data.length} bytes, expected ${w}×${h}×3`);
  }
  if (k === 1) return image;
  const ow = Math.floor(w / k);
  const oh = Math.floor(h / k);
  if (ow < 1 || oh < 1)
    throw new DownscaleInputError(`a ${w}×${h} image is smaller than one ${k}×${k} block`);
  const out = new Uint8Array(ow * oh * 3);
  // Column sums of the k source rows of one output row; a block sums to at most 255·k², far below 2^32.
  const acc = new Uint32Array(ow * 3);
  const area = k * k;
  const half = area >> 1;
  const rowSpan = ow * k * 3;
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0);
    for (let dy = 0; dy < k; dy++) {
      const start = (oy * k + dy) * w * 3;
      const end = start + rowSpan;
      let a = 0;
      let n = 0;
      for (let p = start; p < end; p += 3) {
        acc[a] = (acc[a] ?? 0) + (data[p] ?? 0);
        acc[a + 1] = (acc[a + 1] ?? 0) + (data[p + 1] ?? 0);
        acc[a + 2] = (acc[a + 2] ?? 0) + (data[p + 2] ?? 0);
        if (++n === k) {
          n = 0;
          a += 3;
        }
      }
    }
    const row = oy * ow * 3;
    for (let i = 0; i < ow * 3; i++) out[row + i] = Math.floor(((acc[i] ?? 0) + half) / area);
  }
  return { width: ow, height: oh, data: out };
}
