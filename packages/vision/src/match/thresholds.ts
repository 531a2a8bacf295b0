import { VisionError } from '../errors.ts';

/** A cosine threshold calibrated for one embedder, with where its evidence lives. */
export interface CalibratedThreshold {
  /** Accept the best person when cosine similarity ≥ this. */
  threshold: number;
  /** Short pointer to the measurement; the full sweep is in packages/vision/README.md. */
  evidence: string;
  /**
   * Per-person impostor scores measured at gallery scale, with `centroid` aggregation (the recognizer's): with
   * it the threshold rises with the gallery size ({@link galleryThreshold}) so the share of strangers given a
   * name stays at the target; `threshold` is then the floor used for small galleries.
   */
  impostors?: ImpostorModel;
}

/**
 * Calibrated defaults per embedder model id, for the default pipeline (zero-fill MTCNN, zero-border warp, no
 * flip). Measured with `frs eval` on `../shared/faces/identities` + `other/no-face` (K = 1, the FRS protocol);
 * the FAR/FRR sweep behind each number is in ./calibration.md ("Recognition: threshold calibration", also for
 * packages/vision/README.md).
 * The set is small (110 genuine, 5 stranger and 23 no-face queries): re-run `frs eval` on your own data.
 * `impostors` carries the gallery-scale measurement (lfw-dev) that {@link galleryThreshold} raises the
 * threshold with as more people are enrolled.
 */
export const CALIBRATED_THRESHOLDS: Readonly<Record<string, CalibratedThreshold>> = {
  // K = 1: the 5 strangers peak at 0.505 and no-face images at 0.331, the first genuine loss past 95.5 % top-1
  // is at 0.53; 0.52 sits between them. At K = 2 one stranger (of 19) reaches 0.528.
  'mobilefacenet-sirius-192d': {
    threshold: 0.52,
    evidence: 'K=1: rank-1 97.3 %, top-1 95.5 %, FAR 0/28, pair FAR 0.20 %; K=2: top-1 95.2 %, FAR 1/42',
    // lfw-dev, `frs eval --gallery-size 10,30,100,200,300,459 --repeats 5 --aggregation centroid`: 13.8 M
    // (stranger, enrolled person) scores, centroid of 2 photos. Cut at 0.69: above it the few remaining pairs
    // are LFW label noise (two people photographed together), not look-alikes.
    impostors: {
      points: [
        [0.3, 0.0253],
        [0.31, 0.0214],
        [0.32, 0.0181],
        [0.33, 0.0152],
        [0.34, 0.0127],
        [0.35, 0.0106],
        [0.36, 0.0087],
        [0.37, 0.00715],
        [0.38, 0.00585],
        [0.39, 0.00477],
        [0.4, 0.00384],
        [0.41, 0.0031],
        [0.42, 0.00247],
        [0.43, 0.00196],
        [0.44, 0.00154],
        [0.45, 0.0012],
        [0.46, 0.000938],
        [0.47, 0.000722],
        [0.48, 0.000559],
        [0.49, 0.000422],
        [0.5, 0.000321],
        [0.51, 0.000238],
        [0.52, 0.000175],
        [0.53, 0.000131],
        [0.54, 9.23e-5],
        [0.55, 6.65e-5],
        [0.56, 4.65e-5],
        [0.57, 3.26e-5],
        [0.58, 2.27e-5],
        [0.59, 1.56e-5],
        [0.6, 9.55e-6],
        [0.61, 8.03e-6],
        [0.62, 6.87e-6],
        [0.63, 5.71e-6],
        [0.64, 4.92e-6],
        [0.65, 3.54e-6],
        [0.66, 3.25e-6],
        [0.67, 2.75e-6],
        [0.68, 1.74e-6],
        [0.69, 1.3e-6],
      ],
      tailSlope: -9.67,
      // p at the last point, 1.3e-6, is what 0.8 % of strangers named needs at ~6,200 people.
      measuredUpTo: 6_200,
      evidence:
        'lfw-dev, 30 random galleries of 10-459 people, centroid of 2 photos; calibration.md "Gallery scale"',
    },
  },
  // K = 1: strangers peak at 0.344, no-face at 0.239; top-1 stays at 97.3 % up to 0.37.
  'mobilefacenet-faceplugin-512d': {
    threshold: 0.36,
    evidence: 'K=1: rank-1 97.3 %, top-1 97.3 %, FAR 0/28, pair FAR 0.27 %; K=2: top-1 96.4 %, FAR 1/42',
  },
};

/** Thrown when no calibrated threshold exists for a model and the caller gave none. */
export class UncalibratedModelError extends VisionError {
  override readonly code = 'UNCALIBRATED_MODEL';
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

/**
 * How often a stranger's face scores at or above a threshold against one enrolled person (two photos, `max`
 * aggregation): the per-person false-accept probability p(t). A gallery of N people names a stranger when any
 * of the N scores clears the threshold, so the identification false-accept rate is about 1 − (1 − p(t))^N.
 */
export interface ImpostorModel {
  /** Measured `[threshold, p]` pairs, thresholds ascending; log p is interpolated linearly between them. */
  points: readonly (readonly [threshold: number, probability: number])[];
  /** Decades of p lost per unit of threshold beyond the last point: the extrapolation (negative). */
  tailSlope: number;
  /** Gallery size up to which the measured points back the model at the default target FAR. */
  measuredUpTo: number;
  /** Short pointer to the measurement (calibration.md has the command and the curves). */
  evidence: string;
}

/**
 * The identification false-accept rate the gallery-size-dependent threshold aims for: 0.8 %, so that the
 * measured rate stays at or below 1 stranger in 100. The impostor model assumes a stranger's scores against
 * different people are independent; on lfw-dev's larger galleries it runs up to 0.3 pt low (aimed at 1 %, 600
 * and 833 people measured 1.18 % and 1.34 %; aimed at 0.8 %, 0.79–0.95 % from 100 to 833 people).
 */
export const DEFAULT_TARGET_FAR = 0.008;

/**
 * The per-person false-accept probability p(t) of an impostor model: log-linear interpolation between the
 * measured points, the fitted tail beyond the last one, and 1 (unknown, so the worst) below the first.
 *
 * @example
 * ```ts
 * pairFalseAcceptRate(model, 0.55); // 1.2e-4
 * ```
 */
export function pairFalseAcceptRate(model: ImpostorModel, threshold: number): number {
  const { points } = model;
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) throw new RangeError('an impostor model needs points');
  // Below the measured range nothing is known: assume the worst rather than reuse the first point.
  if (threshold < first[0]) return 1;
  if (threshold >= last[0]) return Math.min(1, last[1] * 10 ** (model.tailSlope * (threshold - last[0])));
  let i = 1;
  while ((points[i]?.[0] ?? Number.POSITIVE_INFINITY) < threshold) i++;
  const [t0, p0] = points[i - 1] ?? first;
  const [t1, p1] = points[i] ?? last;
  const w = (threshold - t0) / (t1 - t0);
  return 10 ** ((1 - w) * Math.log10(p0) + w * Math.log10(p1));
}

/**
 * The modelled identification false-accept rate of a gallery of `gallerySize` people at `threshold`:
 * 1 − (1 − p(t))^N, which assumes a stranger's scores against different people are independent; real scores
 * are positively correlated (some faces look like many), which makes the true rate lower, so this is an
 * upper estimate.
 *
 * @example
 * ```ts
 * galleryFalseAcceptRate(model, 0.52, 1000); // 0.18
 * ```
 */
export function galleryFalseAcceptRate(model: ImpostorModel, threshold: number, gallerySize: number): number {
  const p = pairFalseAcceptRate(model, threshold);
  return 1 - (1 - p) ** Math.max(0, gallerySize);
}

/**
 * The lowest threshold (0.001 steps, never below `floor`) at which a gallery of `gallerySize` people names at
 * most `targetFar` of strangers under the model.
 *
 * @example
 * ```ts
 * thresholdForFalseAcceptRate(model, 1000, 0.01, 0.52); // 0.61
 * ```
 */
export function thresholdForFalseAcceptRate(
  model: ImpostorModel,
  gallerySize: number,
  targetFar: number,
  floor = -1,
): number {
  if (!(targetFar > 0 && targetFar < 1))
    throw new RangeError(`targetFar must be in (0, 1), got ${targetFar}`);
  // Work in integer thousandths so the answer is exactly a 0.001 step.
  for (let milli = Math.ceil(floor * 1000 - 1e-6); milli <= 1000; milli++) {
    if (galleryFalseAcceptRate(model, milli / 1000, gallerySize) <= targetFar) return milli / 1000;
  }
  return 1;
}

/**
 * The threshold the service uses for a gallery of `gallerySize` people: the calibrated threshold, raised as
 * far as the embedder's impostor model says is needed to keep the identification false-accept rate (strangers
 * given a name) at or below `targetFar`. Every enrolled person is one more chance for a stranger to clear a
 * fixed threshold, so a fixed threshold names more strangers the larger the gallery.
 *
 * @throws {@link UncalibratedModelError} for a model id that has not been calibrated.
 * @example
 * ```ts
 * galleryThreshold('mobilefacenet-sirius-192d', 30); // the calibrated floor for a small gallery
 * galleryThreshold('mobilefacenet-sirius-192d', 1000); // 0.61: at most ~1 % of strangers named at 1,000 people
 * ```
 */
export function galleryThreshold(
  modelId: string,
  gallerySize: number,
  targetFar = DEFAULT_TARGET_FAR,
): number {
  const floor = defaultThreshold(modelId);
  const impostors = CALIBRATED_THRESHOLDS[modelId]?.impostors;
  if (impostors === undefined) return floor;
  return Math.max(floor, thresholdForFalseAcceptRate(impostors, gallerySize, targetFar, floor));
}
