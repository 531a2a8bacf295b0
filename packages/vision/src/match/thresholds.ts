/** A cosine threshold calibrated for one embedder, with where its evidence lives. */
export interface CalibratedThreshold {
  /** Accept the best person when cosine similarity ≥ this. */
  threshold: number;
  /** Short pointer to the measurement; the full sweep is in packages/vision/README.md. */
  evidence: string;
}

/**
 * Calibrated defaults per embedder model id, for the default pipeline (zero-fill MTCNN, zero-border warp, no
 * flip). Measured with `frs eval` on `../shared/faces/identities` + `other/no-face` (K = 1, the FRS protocol);
 * the FAR/FRR sweep behind each number is in ./calibration.md ("Recognition: threshold calibration", also for
 * packages/vision/README.md).
 * The set is small (110 genuine, 5 stranger and 23 no-face queries): re-run `frs eval` on your own data.
 */
export const CALIBRATED_THRESHOLDS: Readonly<Record<string, CalibratedThreshold>> = {
  // K = 1: the 5 strangers peak at 0.505 and no-face images at 0.331, the first genuine loss past 95.5 % top-1
  // is at 0.53; 0.52 sits between them. At K = 2 one stranger (of 19) reaches 0.528.
  'mobilefacenet-sirius-192d': {
    threshold: 0.52,
    evidence: 'K=1: rank-1 97.3 %, top-1 95.5 %, FAR 0/28, pair FAR 0.20 %; K=2: top-1 95.2 %, FAR 1/42',
  },
  // K = 1: strangers peak at 0.344, no-face at 0.239; top-1 stays at 97.3 % up to 0.37.
  'mobilefacenet-faceplugin-512d': {
    threshold: 0.36,
    evidence: 'K=1: rank-1 97.3 %, top-1 97.3 %, FAR 0/28, pair FAR 0.27 %; K=2: top-1 96.4 %, FAR 1/42',
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
