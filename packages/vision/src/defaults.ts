/**
 * Smallest face side in pixels the detector looks for unless told otherwise: the reference MTCNN's value, and
 * the one default of the detector and enroller Lambdas (`FRS_MIN_FACE_SIZE`) and of the CLI's `--min-face-size`.
 *
 * @example
 * ```ts
 * const faces = await detector.detect(image, { minFaceSize: DEFAULT_MIN_FACE_SIZE * 2 });
 * ```
 */
export const DEFAULT_MIN_FACE_SIZE = 20;
