import type { Point, RgbImage } from '../types.ts';

/**
 * What an enrolment photo's face looks like to the matcher: size, sharpness and pose, all from the detection
 * (5 landmarks) and the aligned chip, so the same numbers come out wherever the face is cut.
 */
export interface FaceQuality {
  /** Distance between the eye centres, in original image pixels. */
  eyeDistance: number;
  /**
   * Variance of the Laplacian of the aligned chip's luma (centre 60 % of the chip, away from the warp's
   * zero-filled border): high for crisp detail, low for blur or an upscaled tiny face.
   */
  sharpness: number;
  /**
   * Left–right turn, 0 frontal to 1 profile: how far the nose sits from the middle of the eyes along the eye
   * line, in half eye distances. A profile's nose lies at or beyond one eye.
   */
  yaw: number;
  /**
   * Up–down tilt: the nose's height between the eye line (0) and the mouth line (1). Frontal faces sit near
   * 0.5; looking up moves the nose tip towards the eyes, looking down towards the mouth.
   */
  pitch: number;
}

/** Limits an enrolment photo's face must meet. */
export interface QualityLimits {
  minEyeDistance: number;
  minSharpness: number;
  maxYaw: number;
  /** Allowed pitch range [low, high]. */
  pitch: readonly [number, number];
}

/**
 * The enrolment limits the enroller, `frs enrol` and both `frs eval` protocols share: they refuse what is
 * clearly unfit (eyes under 20 px apart, a chip with almost no detail, a profile, an extreme tilt) and pass
 * 98.8 % of lfw-dev's enrolment photos. Stricter limits were measured and do not pay: on the same people they
 * name no more known faces at 1 % FAR (calibration.md, "Enrolment quality").
 */
export const ENROLMENT_QUALITY: Readonly<QualityLimits> = {
  minEyeDistance: 20,
  minSharpness: 25,
  maxYaw: 0.9,
  pitch: [0.15, 0.85],
};

/** One reason a face fails {@link checkQuality}, with the measured value and the limit it missed. */
export interface QualityIssue {
  kind: 'small' | 'blurred' | 'turned' | 'tilted';
  value: number;
  limit: number;
}

/**
 * Size, sharpness and pose of one detected face (its 5 landmarks: eyes, nose, mouth corners, in image pixels)
 * and its aligned chip.
 *
 * @throws {RangeError} when fewer than 5 landmarks are given.
 * @example
 * ```ts
 * const [chip] = await pipeline.detectAndAlign(photo);
 * const quality = faceQuality(chip.detection, chip); // { eyeDistance: 41.2, sharpness: 180, yaw: 0.08, pitch: 0.52 }
 * ```
 */
export function faceQuality(detection: { landmarks: readonly Point[] }, chip: RgbImage): FaceQuality {
  const [leftEye, rightEye, nose, leftMouth, rightMouth] = detection.landmarks;
  if (
    leftEye === undefined ||
    rightEye === undefined ||
    nose === undefined ||
    leftMouth === undefined ||
    rightMouth === undefined
  ) {
    throw new RangeError(`faceQuality needs 5 landmarks, got ${detection.landmarks.length}`);
  }
  const ex = rightEye[0] - leftEye[0];
  const ey = rightEye[1] - leftEye[1];
  const eyeDistance = Math.hypot(ex, ey);
  // Work in the eye line's frame so a rolled head (which alignment undoes) does not read as turned.
  const ux = eyeDistance > 0 ? ex / eyeDistance : 1;
  const uy = eyeDistance > 0 ? ey / eyeDistance : 0;
  const eyeMid = [(leftEye[0] + rightEye[0]) / 2, (leftEye[1] + rightEye[1]) / 2] as const;
  const mouthMid = [(leftMouth[0] + rightMouth[0]) / 2, (leftMouth[1] + rightMouth[1]) / 2] as const;
  const along = (p: readonly [number, number]) => (p[0] - eyeMid[0]) * ux + (p[1] - eyeMid[1]) * uy;
  const across = (p: readonly [number, number]) => -(p[0] - eyeMid[0]) * uy + (p[1] - eyeMid[1]) * ux;
  const yaw = eyeDistance > 0 ? Math.abs(along(nose)) / (eyeDistance / 2) : 1;
  const mouthDrop = across(mouthMid);
  const pitch = mouthDrop > 0 ? across(nose) / mouthDrop : Number.NaN;
  return { eyeDistance, sharpness: laplacianVariance(chip), yaw, pitch };
}

function laplacianVariance(image: RgbImage): number {
  const { width, height, data } = image;
  const luma = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    luma[i] = 0.299 * (data[3 * i] ?? 0) + 0.587 * (data[3 * i + 1] ?? 0) + 0.114 * (data[3 * i + 2] ?? 0);
  }
  const x0 = Math.max(1, Math.round(width * 0.2));
  const x1 = Math.min(width - 1, Math.round(width * 0.8));
  const y0 = Math.max(1, Math.round(height * 0.2));
  const y1 = Math.min(height - 1, Math.round(height * 0.8));
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * width + x;
      const v =
        (luma[i - 1] ?? 0) +
        (luma[i + 1] ?? 0) +
        (luma[i - width] ?? 0) +
        (luma[i + width] ?? 0) -
        4 * (luma[i] ?? 0);
      n++;
      sum += v;
      sum2 += v * v;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.max(0, sum2 / n - mean * mean);
}

/**
 * Everything a face misses of some limits; empty when it is fit to enrol.
 *
 * @example
 * ```ts
 * checkQuality(quality); // [] or [{ kind: 'blurred', value: 8.1, limit: 20 }]
 * ```
 */
export function checkQuality(
  quality: FaceQuality,
  limits: QualityLimits = ENROLMENT_QUALITY,
): QualityIssue[] {
  const issues: QualityIssue[] = [];
  if (!(quality.eyeDistance >= limits.minEyeDistance)) {
    issues.push({ kind: 'small', value: quality.eyeDistance, limit: limits.minEyeDistance });
  }
  if (!(quality.sharpness >= limits.minSharpness)) {
    issues.push({ kind: 'blurred', value: quality.sharpness, limit: limits.minSharpness });
  }
  if (!(quality.yaw <= limits.maxYaw))
    issues.push({ kind: 'turned', value: quality.yaw, limit: limits.maxYaw });
  const [low, high] = limits.pitch;
  if (!(quality.pitch >= low && quality.pitch <= high)) {
    issues.push({ kind: 'tilted', value: quality.pitch, limit: quality.pitch > high ? high : low });
  }
  return issues;
}

/**
 * A sentence for the person enrolling, naming every issue: what the enroller's `low_quality` answer and
 * `frs enrol` say.
 *
 * @example
 * ```ts
 * describeQualityIssues([{ kind: 'small', value: 12, limit: 20 }]);
 * // 'the face is too small (eyes 12 px apart, at least 20 needed)'
 * ```
 */
export function describeQualityIssues(issues: readonly QualityIssue[]): string {
  return issues.map(describeIssue).join('; ');
}

function describeIssue(i: QualityIssue): string {
  switch (i.kind) {
    case 'small':
      return `the face is too small (eyes ${i.value.toFixed(0)} px apart, at least ${i.limit} needed)`;
    case 'blurred':
      return `the face is blurred (sharpness ${i.value.toFixed(0)}, at least ${i.limit} needed)`;
    case 'turned':
      return `the face is turned sideways (turn ${i.value.toFixed(2)}, at most ${i.limit} allowed)`;
    case 'tilted':
      if (Number.isNaN(i.value)) return 'the head tilt cannot be measured (mouth not below the eyes)';
      return i.value < i.limit
        ? `the head is tilted up (tilt ${i.value.toFixed(2)}, at least ${i.limit} allowed)`
        : `the head is tilted down (tilt ${i.value.toFixed(2)}, at most ${i.limit} allowed)`;
  }
}
