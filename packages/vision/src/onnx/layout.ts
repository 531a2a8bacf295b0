import type { Preprocessing } from '@frs/models/manifest';

/**
 * Where each RGB source channel of pixel (x, y) lands in one sample of a network input, and how its value
 * is normalised: `out[offset[c] + y * rowStride + x * pixelStride] = (v - mean) * invStd`. Derived from the
 * manifest's preprocessing data, so NCHW/NHWC and RGB/BGR need no branches in the hot loops.
 */
export interface TensorLayout {
  width: number;
  height: number;
  /** Offset of source channel R, G, B inside one sample. */
  channelOffset: readonly [number, number, number];
  pixelStride: number;
  rowStride: number;
  /** Floats per sample (`3 * width * height`). */
  sampleSize: number;
  /** Per source channel R, G, B. */
  mean: readonly [number, number, number];
  invStd: readonly [number, number, number];
  /** Tensor dims for a batch of `n`. */
  dims(n: number): number[];
}

/**
 * Builds the {@link TensorLayout} for an input of `width`×`height` from manifest preprocessing.
 *
 * @example
 * ```ts
 * const layout = tensorLayout(entry.preprocessing, 112, 112);
 * layout.dims(4); // [4, 3, 112, 112] for NCHW
 * ```
 */
export function tensorLayout(prep: Preprocessing, width: number, height: number): TensorLayout {
  const plane = width * height;
  // Index of the network channel that receives source channel c (R=0, G=1, B=2).
  const dest = prep.colorOrder === 'RGB' ? ([0, 1, 2] as const) : ([2, 1, 0] as const);
  const nchw = prep.layout === 'NCHW';
  const pick = (values: readonly [number, number, number]) =>
    [values[dest[0]], values[dest[1]], values[dest[2]]] as const;
  return {
    width,
    height,
    channelOffset: nchw ? [dest[0] * plane, dest[1] * plane, dest[2] * plane] : dest,
    pixelStride: nchw ? 1 : 3,
    rowStride: nchw ? width : 3 * width,
    sampleSize: 3 * plane,
    mean: pick(prep.mean),
    invStd: pick([1 / prep.std[0], 1 / prep.std[1], 1 / prep.std[2]]),
    dims: (n) => (nchw ? [n, 3, height, width] : [n, height, width, 3]),
  };
}
