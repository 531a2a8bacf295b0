/**
 * Layout helpers. A permutation `perm` relates a TFLite tensor `T` to the ONNX tensor `A` that holds the
 * same values: `A = transpose(T, perm)`, i.e. ONNX axis `i` is TFLite axis `perm[i]` (NumPy/ONNX
 * `Transpose` convention). NHWC activations held as NCHW have `perm = [0, 3, 1, 2]`.
 */

export function identityPerm(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

export function samePerm(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The ONNX `Transpose` permutation that turns a tensor held as `transpose(T, from)` into
 * `transpose(T, to)`.
 *
 * @example
 * ```ts
 * permBetween([0, 3, 1, 2], [0, 1, 2, 3]); // [0, 2, 3, 1]: NCHW back to NHWC
 * ```
 */
export function permBetween(from: readonly number[], to: readonly number[]): number[] {
  return to.map((axis) => {
    const at = from.indexOf(axis);
    if (at < 0) throw new RangeError(`axis ${axis} is missing from permutation [${from.join(',')}]`);
    return at;
  });
}

/** `shape` of `transpose(T, perm)` given the shape of `T`. */
export function permuteShape<T>(shape: readonly T[], perm: readonly number[]): T[] {
  return perm.map((axis) => {
    const size = shape[axis];
    if (size === undefined) throw new RangeError(`axis ${axis} is outside a rank-${shape.length} shape`);
    return size;
  });
}

/**
 * Transposes a dense row-major array: output axis `i` is input axis `perm[i]`.
 *
 * @example
 * ```ts
 * transposeData(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]); // [1, 4, 2, 5, 3, 6]
 * ```
 */
export function transposeData<T extends Float32Array | Int32Array>(
  data: T,
  shape: readonly number[],
  perm: readonly number[],
): T {
  const rank = shape.length;
  const outShape = permuteShape(shape, perm);
  const inStrides = stridesOf(shape);
  const outStridesInInput = perm.map((axis) => inStrides[axis] ?? 0);
  const out = data.slice() as T;
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let i = 0; i < data.length; i++) {
    out[i] = data[source] ?? 0;
    // Odometer over output indices, tracking the matching input offset incrementally.
    for (let axis = rank - 1; axis >= 0; axis--) {
      const size = outShape[axis] ?? 1;
      const stride = outStridesInInput[axis] ?? 0;
      const value = (index[axis] ?? 0) + 1;
      if (value < size) {
        index[axis] = value;
        source += stride;
        break;
      }
      index[axis] = 0;
      source -= stride * (size - 1);
    }
  }
  return out;
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) {
    strides[axis] = (strides[axis + 1] ?? 1) * (shape[axis + 1] ?? 1);
  }
  return strides;
}

/**
 * True when holding `T` as `transpose(T, perm)` leaves its elements in the same memory order, so a
 * reshape can skip the transpose. Only axes that can exceed size 1 matter.
 *
 * @example
 * ```ts
 * sameMemoryOrder([1, 1, 1, 192], [false, false, false, false], [0, 3, 1, 2]); // true
 * ```
 */
export function sameMemoryOrder(
  shape: readonly number[],
  dynamic: readonly boolean[],
  perm: readonly number[],
): boolean {
  const matters = (axis: number) => dynamic[axis] === true || (shape[axis] ?? 1) > 1;
  const before = identityPerm(shape.length).filter(matters);
  const after = perm.filter(matters);
  return samePerm(before, after);
}

/**
 * Explicit begin/end padding for TensorFlow `SAME` along one axis, or `undefined` when it depends on a
 * dynamic input size (then only ONNX `auto_pad = SAME_UPPER` expresses it, which has the same rule:
 * the odd pixel goes at the end).
 *
 * @example
 * ```ts
 * samePadding(112, false, 3, 2, 1); // [0, 1]: out = 56, total padding 1
 * ```
 */
export function samePadding(
  size: number,
  dynamic: boolean,
  kernel: number,
  stride: number,
  dilation: number,
): [number, number] | undefined {
  const effective = (kernel - 1) * dilation + 1;
  if (dynamic && stride !== 1) return undefined;
  const out = Math.ceil(size / stride);
  const total = dynamic ? effective - 1 : Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
