import { join } from 'node:path';
import { testLogger } from '@frs/test-fixtures/logger';
import { SHARED_DIR as sharedDir } from '@frs/test-fixtures/shared';
import {
  type AnalyzedImage,
  analyzeImages,
  listDataset,
  runScaleProtocol,
  type ScaleRun,
  scalePhotos,
  scalePoint,
} from '@frs/vision/eval';
import {
  CALIBRATED_THRESHOLDS,
  DEFAULT_TARGET_FAR,
  galleryFalseAcceptRate,
  galleryThreshold,
} from '@frs/vision/match';
import { createFacePipeline } from '@frs/vision/pipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { testManifest, testModelsDir } from './fixtures/models.ts';

const log = testLogger('vision-scale-recognition');

const lfw = join(sharedDir, 'faces', 'lfw-dev');

// Real MTCNN + the default embedder on a fixed slice of lfw-dev: 50 people with 3+ photos (4 photos each at
// most) spread over the alphabet, and 400 single-photo strangers. About 600 photos: a minute on two cores.
describe('Function: galleryThreshold()', () => {
  let run: ScaleRun;
  let modelId: string;

  beforeAll(async () => {
    const pipeline = await createFacePipeline({ manifest: await testManifest(), modelsDir: testModelsDir() });
    modelId = pipeline.models.embedder;
    const all = await listDataset(lfw);
    const known = all
      .filter((p) => p.images.length >= 3)
      .filter((_, i) => i % 9 === 0)
      .slice(0, 50)
      .map((p) => ({ ...p, images: p.images.slice(0, 4) }));
    const strangers = all
      .filter((p) => p.images.length === 1)
      .filter((_, i) => i % 2 === 0)
      .slice(0, 400);
    const people = [...known, ...strangers];
    const images: Map<string, AnalyzedImage> = await analyzeImages(
      pipeline,
      people.flatMap((p) => p.images),
      {
        onProgress: ({ done, total }) => {
          if (done % 100 === 0 || done === total) log.debug('lfw-dev subset analysed', { done, total });
        },
      },
    );
    run = runScaleProtocol(scalePhotos(people, images), {
      gallerySizes: [50],
      repeats: 3,
      seed: 1,
      aggregation: 'centroid',
    });
  }, 600_000);

  it('returns a threshold at which ≤ 1.5 % of 400 strangers are named and ≥ 98 % of known people are', () => {
    const point = scalePoint(run.trials, { threshold: galleryThreshold(modelId, 50) });
    expect(point.strangerQueries).toBe(3 * 400);
    expect(point.genuineQueries).toBeGreaterThan(3 * 70);
    expect(point.far).toBeLessThanOrEqual(0.015);
    expect(point.knownCorrect).toBeGreaterThanOrEqual(0.98);
    expect(point.misnamed).toBe(0);
  });

  it('returns a higher threshold for larger galleries whose modelled FAR stays at the 0.8 % target', () => {
    const impostors = CALIBRATED_THRESHOLDS[modelId]?.impostors;
    if (impostors === undefined) throw new Error(`no impostor model shipped for ${modelId}`);
    const sizes = [100, 1000, 10_000];
    const thresholds = sizes.map((n) => galleryThreshold(modelId, n));
    expect(thresholds).toEqual([...thresholds].sort((a, b) => a - b));
    expect(thresholds[0]).toBeGreaterThan(galleryThreshold(modelId, 10));
    sizes.forEach((n, i) => {
      expect(galleryFalseAcceptRate(impostors, thresholds[i] ?? 1, n)).toBeLessThanOrEqual(
        DEFAULT_TARGET_FAR,
      );
    });
    // On the real subset, the 1,000-people threshold names fewer strangers than the 50-people one.
    const small = scalePoint(run.trials, { threshold: galleryThreshold(modelId, 50) });
    const large = scalePoint(run.trials, { threshold: thresholds[1] ?? 1 });
    expect(large.far).toBeLessThanOrEqual(small.far);
  });
});
