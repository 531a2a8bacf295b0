/** A cosine threshold calibrated for one embedder, with where its evidence lives. */
export interface CalibratedThreshold {
  /** Accept the best person when cosine similarity ≥ this. */
  threshold: number;
  /** Short pointer to the measurement; the full sweep is in packages/vision/README.md. */
  evidence: string;
}

/**
 * Calibrated defaults per embedder model id. Values come from `frs eval` / the recognition test on
 * `../shared/faces` (K = 1, MTCNN + alignment of this package); see "Recognition: threshold calibration" in
 * packages/vision/README.md for the FAR/FRR sweep that justifies each number.
 */
export const CALIBRATED_THRESHOLDS: Readonly<Record<string, CalibratedThreshold>> = {
  'mobilefacenet-sirius-192d': {
    threshold: 0.55,
    evidence:
      'provisional: reference models README (FAR ≤ 0.1 % on 1,300 pairs); to be replaced by the sweep',
  },
  'mobilefacenet-faceplugin-512d': {
    threshold: 0.35,
    evidence:
      'provisional: reference models README (FAR ≤ 0.1 % on 1,300 pairs); to be replaced by the sweep',
  },
};

/** Thrown when no calibrated threshold exists for a model and the caller gave none. */
export class UncalibratedModelError extends Error {
  override name = 'UncalibratedModelError';
}

/**
 * The calibrated cosine threshold for an embedder.
 *
 * @throws {@link UncalibratedModelError} for a model id that has not been calibrated: guessing is worse than failing.
 * @example
 * ```ts
 * const threshold = defaultThreshold('mobilefacenet-sirius-192d');
 * ```
 */
export function defaultThreshold(modelId: string): number {
  const entry = CALIBRATED_THRESHOLDS[modelId];
  if (!entry) {
    throw new UncalibratedModelError(
      `no calibrated threshold for embedder '${modelId}'; pass one explicitly or calibrate it with frs eval`,
    );
  }
  return entry.threshold;
}
