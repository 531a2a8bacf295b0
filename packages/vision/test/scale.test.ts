import {
  type AnalyzedImage,
  empiricalThreshold,
  fitImpostorTail,
  impostorModelFromSurvival,
  impostorSurvival,
  random,
  runScaleProtocol,
  type ScalePhoto,
  scalePhotos,
  scalePoint,
} from '@frs/vision/eval';
import { ENROLMENT_QUALITY } from '@frs/vision/gallery';
import {
  galleryFalseAcceptRate,
  type ImpostorModel,
  pairFalseAcceptRate,
  thresholdForFalseAcceptRate,
} from '@frs/vision/match';
import { describe, expect, it } from 'vitest';

const DIM = 64;

function unitVector(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / norm);
}

/**
 * 20 people with 4 photos each, scattered tightly around their own random direction, and 30 single-photo
 * strangers in random directions: known people are easy to name, strangers score low against everyone.
 */
function photosFactory(seed = 7): ScalePhoto[] {
  const rand = random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const direction = () => Array.from({ length: DIM }, gaussian);
  const photos: ScalePhoto[] = [];
  for (let p = 0; p < 20; p++) {
    const centre = unitVector(direction());
    for (let i = 0; i < 4; i++) {
      photos.push({
        person: `known${p}`,
        path: `known${p}/${i}.jpg`,
        vector: unitVector(Array.from(centre, (c) => c + 0.03 * gaussian())),
      });
    }
  }
  for (let s = 0; s < 30; s++) {
    photos.push({ person: `single${s}`, path: `single${s}/0.jpg`, vector: unitVector(direction()) });
  }
  return photos;
}

describe('Function: runScaleProtocol()', () => {
  it('returns the same trials for the same seed and different galleries for another seed', () => {
    const a = runScaleProtocol(photosFactory(), { gallerySizes: [5, 10], repeats: 3, seed: 1 });
    const b = runScaleProtocol(photosFactory(), { gallerySizes: [5, 10], repeats: 3, seed: 1 });
    const c = runScaleProtocol(photosFactory(), { gallerySizes: [5, 10], repeats: 3, seed: 2 });
    expect(a.trials).toEqual(b.trials);
    expect(a.trials.map((t) => t.queries.map((q) => q.best))).not.toEqual(
      c.trials.map((t) => t.queries.map((q) => q.best)),
    );
  });

  it('returns 2 enrolled photos per person, the other 2 queried, and everybody else as a stranger', () => {
    const run = runScaleProtocol(photosFactory(), { gallerySizes: [5, 20, 21], repeats: 2, seed: 1 });
    expect(run.eligible).toBe(20);
    expect(run.alwaysStrangers).toBe(30);
    // 21 people exceed the 20 with enough photos: that size is left out.
    expect([...new Set(run.trials.map((t) => t.size))]).toEqual([5, 20]);
    for (const trial of run.trials) {
      const genuine = trial.queries.filter((q) => q.kind === 'genuine').length;
      const strangers = trial.queries.filter((q) => q.kind === 'stranger').length;
      expect(genuine).toBe(2 * trial.size);
      expect(strangers).toBe(4 * (20 - trial.size) + 30);
      expect(trial.impostorPairCount).toBe(strangers * trial.size);
    }
  });

  it('returns every known person named and no stranger named when the clusters are well separated', () => {
    const run = runScaleProtocol(photosFactory(), { gallerySizes: [10], repeats: 4, seed: 3 });
    for (const aggregation of ['max', 'mean', 'centroid'] as const) {
      const trials = runScaleProtocol(photosFactory(), {
        gallerySizes: [10],
        repeats: 4,
        seed: 3,
        aggregation,
      }).trials;
      const point = scalePoint(trials, { threshold: 0.7 });
      expect(point.rank1).toBe(1);
      expect(point.knownCorrect).toBe(1);
      expect(point.far).toBe(0);
    }
    // At a threshold below every score everybody is named: strangers too.
    expect(scalePoint(run.trials, { threshold: -1 }).far).toBe(1);
  });

  it('returns fewer names with a margin rule and a threshold that meets the target FAR', () => {
    const trials = runScaleProtocol(photosFactory(), { gallerySizes: [20], repeats: 3, seed: 1 }).trials;
    const loose = scalePoint(trials, { threshold: 0 });
    const margined = scalePoint(trials, { threshold: 0, margin: 0.3 });
    expect(margined.far).toBeLessThan(loose.far);
    const t = empiricalThreshold(trials, 0.1) ?? 1;
    expect(scalePoint(trials, { threshold: t }).far).toBeLessThanOrEqual(0.1);
    expect(scalePoint(trials, { threshold: t - 0.002 }).far).toBeGreaterThan(0.1);
  });

  it('returns rejected enrolment photos counted, kept as queries, and people without 2 good photos as strangers', () => {
    const good = { eyeDistance: 50, sharpness: 300, yaw: 0.1, pitch: 0.5 };
    const blurred = { ...good, sharpness: 5 };
    // known0's first two photos are blurred (never enrolled), known1 has three blurred (cannot be enrolled).
    const photos = photosFactory().map((p) => ({
      ...p,
      quality:
        (p.person === 'known0' && /\/[01]\.jpg$/.test(p.path)) ||
        (p.person === 'known1' && !p.path.endsWith('/3.jpg'))
          ? blurred
          : good,
    }));
    const run = runScaleProtocol(photos, {
      gallerySizes: [19],
      repeats: 3,
      seed: 1,
      enrolmentQuality: ENROLMENT_QUALITY,
    });
    expect(run.eligible).toBe(19);
    expect(run.qualityIneligible).toBe(1);
    // Each trial enrols all 19 with 2 good photos each; only blurred photos are rejected on the way.
    expect(run.enrolment.tried - run.enrolment.rejected).toBe(3 * 19 * 2);
    expect(run.enrolment.rejected).toBeGreaterThan(0);
    for (const trial of run.trials) {
      // Rejected photos stay queries: each enrolled person still has 2 of 4 photos left to query.
      expect(trial.queries.filter((q) => q.kind === 'genuine')).toHaveLength(2 * 19);
      expect(trial.queries.filter((q) => q.kind === 'stranger')).toHaveLength(4 + 30);
    }
    const off = runScaleProtocol(photos, { gallerySizes: [19], repeats: 3, seed: 1 });
    expect([off.eligible, off.enrolment.rejected]).toEqual([20, 0]);
  });

  it('returns galleries beyond the queryable people filled with 2-photo people, who are never queried', () => {
    const base = photosFactory();
    const pairs: ScalePhoto[] = Array.from({ length: 10 }, (_, p) =>
      [0, 1].map((i) => ({
        person: `pair${p}`,
        path: `pair${p}/${i}.jpg`,
        vector: base[p * 4]?.vector?.map((v, d) => (d === p ? v + 1 : v)),
      })),
    ).flat();
    const run = runScaleProtocol([...base, ...pairs], {
      gallerySizes: [20, 25, 30, 31],
      repeats: 2,
      seed: 1,
    });
    expect([run.eligible, run.fillers, run.alwaysStrangers]).toEqual([20, 10, 30]);
    expect([...new Set(run.trials.map((t) => t.size))]).toEqual([20, 25, 30]);
    for (const trial of run.trials) {
      const fillers = trial.size - 20;
      expect(trial.queries.filter((q) => q.kind === 'genuine')).toHaveLength(2 * 20);
      expect(trial.queries.filter((q) => q.kind === 'stranger')).toHaveLength(30 + 2 * (10 - fillers));
      expect(trial.impostorPairCount).toBe((30 + 2 * (10 - fillers)) * trial.size);
    }
    // Up to the queryable people a size draws from them alone, as without fillers.
    const without = runScaleProtocol(base, { gallerySizes: [20], repeats: 2, seed: 1 });
    expect(
      run.trials.filter((t) => t.size === 20).map((t) => t.queries.filter((q) => q.kind === 'genuine')),
    ).toEqual(without.trials.map((t) => t.queries.filter((q) => q.kind === 'genuine')));
  });

  it('throws RangeError when the quality rule is on and a photo has no quality recorded', () => {
    expect(() =>
      runScaleProtocol(photosFactory(), { gallerySizes: [5], enrolmentQuality: ENROLMENT_QUALITY }),
    ).toThrow(/no quality recorded/);
  });

  it('throws RangeError when a size or count is not a positive integer', () => {
    expect(() => runScaleProtocol(photosFactory(), { gallerySizes: [0] })).toThrow(RangeError);
    expect(() => runScaleProtocol(photosFactory(), { gallerySizes: [5], repeats: 0 })).toThrow(RangeError);
    expect(() => runScaleProtocol(photosFactory(), { gallerySizes: [5], minPhotos: 2 })).toThrow(RangeError);
  });
});

describe('Function: scalePhotos()', () => {
  it('returns the face nearest the image centre, or the largest face when asked', () => {
    const face = (box: [number, number, number, number], x: number) => ({
      area: (box[2] - box[0]) * (box[3] - box[1]),
      box,
      embedding: { modelId: 'm', vector: Float32Array.of(x, 1) },
    });
    const images = new Map<string, AnalyzedImage>([
      ['a/1.jpg', { width: 100, height: 100, faces: [face([0, 0, 60, 60], 1), face([40, 40, 60, 60], 2)] }],
    ]);
    const people = [{ name: 'a', images: ['a/1.jpg', 'a/2.jpg'] }];
    const [central, missing] = scalePhotos(people, images, 'central');
    const [largest] = scalePhotos(people, images, 'largest');
    expect(central?.vector?.[0]).toBeCloseTo(2 / Math.hypot(2, 1), 6);
    expect(largest?.vector?.[0]).toBeCloseTo(1 / Math.SQRT2, 6);
    expect(missing?.vector).toBeUndefined();
  });
});

describe('Function: fitImpostorTail()', () => {
  it('returns the slope and intercept of an exactly exponential tail', () => {
    const survival = Array.from({ length: 20 }, (_, i) => {
      const threshold = 0.3 + i * 0.02;
      const rate = 10 ** (1 - 10 * threshold);
      return { threshold, rate, count: Math.round(rate * 1e8) };
    });
    const tail = fitImpostorTail(survival);
    expect(tail.slope).toBeCloseTo(-10, 6);
    expect(tail.intercept).toBeCloseTo(1, 6);
  });

  it('throws RangeError when fewer than three tail points are usable', () => {
    expect(() => fitImpostorTail([{ threshold: 0.5, rate: 1e-3, count: 100 }])).toThrow(RangeError);
  });
});

describe('Function: impostorSurvival()', () => {
  it('returns the fraction of stranger-vs-person scores at or above each threshold', () => {
    const trials = runScaleProtocol(photosFactory(), { gallerySizes: [10], repeats: 2, seed: 5 }).trials;
    const [first, second] = impostorSurvival(trials, [0.2, 0.5]);
    const total = trials.reduce((n, t) => n + t.impostorPairCount, 0);
    const above = (x: number) => trials.reduce((n, t) => n + t.impostorPairs.filter((s) => s >= x).length, 0);
    expect(first).toEqual({ threshold: 0.2, rate: above(0.2) / total, count: above(0.2) });
    expect(second?.count).toBe(above(0.5));
  });
});

describe('Function: thresholdForFalseAcceptRate()', () => {
  // p(t) = 10^(1 − 10 t): 1e-4 at 0.5, 1e-6 at 0.7 (measured), then 12 decades per unit (extrapolated).
  const model: ImpostorModel = {
    points: [
      [0.5, 1e-4],
      [0.6, 1e-5],
      [0.7, 1e-6],
    ],
    tailSlope: -12,
    measuredUpTo: 10_000,
    evidence: 'synthetic',
  };

  it('returns p interpolated log-linearly between points and extrapolated with the tail slope', () => {
    expect(pairFalseAcceptRate(model, 0.55)).toBeCloseTo(10 ** -4.5, 12);
    expect(pairFalseAcceptRate(model, 0.8)).toBeCloseTo(10 ** -7.2, 14);
    expect(pairFalseAcceptRate(model, 0.1)).toBe(1);
  });

  it('returns a threshold whose modelled FAR meets the target and rises with the gallery size', () => {
    const t100 = thresholdForFalseAcceptRate(model, 100, 0.01);
    const t10k = thresholdForFalseAcceptRate(model, 10_000, 0.01);
    expect(galleryFalseAcceptRate(model, t100, 100)).toBeLessThanOrEqual(0.01);
    expect(galleryFalseAcceptRate(model, t100 - 0.001, 100)).toBeGreaterThan(0.01);
    expect(t100).toBe(0.5);
    expect(t10k).toBeCloseTo(0.7, 2);
    expect(thresholdForFalseAcceptRate(model, 10, 0.01, 0.52)).toBe(0.52);
  });

  it('returns an impostor model whose points are the measured survival when built from trials', () => {
    const survival = Array.from({ length: 30 }, (_, i) => {
      const threshold = 0.3 + i * 0.02;
      const rate = 10 ** (1 - 10 * threshold);
      return { threshold, rate, count: Math.round(rate * 1e8) };
    });
    const built = impostorModelFromSurvival(survival, 'synthetic');
    expect(built.points.every(([, p], i) => p === survival[i]?.rate)).toBe(true);
    expect(built.tailSlope).toBeCloseTo(-10, 6);
  });
});
