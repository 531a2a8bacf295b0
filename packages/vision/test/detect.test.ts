import { testLogger } from '@frs/test-fixtures/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDetector, DetectInputError, type Detector } from '../src/detect/index.ts';
import type { Detection, RgbImage } from '../src/types.ts';
import { cropImage } from './fixtures/images.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';
import { loadFace } from './fixtures/shared.ts';

const log = testLogger('vision-detect');

/** Largest distance between corresponding landmarks, after shifting `found` by (dx, dy). */
function landmarkError(found: Detection, truth: Detection, dx: number, dy: number): number {
  return Math.max(
    ...found.landmarks.map((p, i) => {
      const t = truth.landmarks[i] ?? [Number.NaN, Number.NaN];
      return Math.hypot(p[0] + dx - t[0], p[1] + dy - t[1]);
    }),
  );
}

describe('Function: detector.detect()', () => {
  let detector: Detector;
  let portrait: RgbImage;
  let group: RgbImage;

  beforeAll(async () => {
    detector = await createDetector({ manifest: await testManifest(), modelsDir: testModelsDir() });
    portrait = await loadFace('identities/Anthony_Hopkins/00.jpg');
    group = await loadFace('other/multi-face/bbt5.jpg');
  });

  it('returns one face with landmarks inside its box when given a portrait', async () => {
    const [face, ...rest] = await detector.detect(portrait);
    expect(rest).toHaveLength(0);
    expect(face?.score).toBeGreaterThan(0.99);
    const [x1, y1, x2, y2] = face?.box ?? [0, 0, 0, 0];
    for (const [x, y] of face?.landmarks ?? []) {
      expect(x).toBeGreaterThan(x1);
      expect(x).toBeLessThan(x2);
      expect(y).toBeGreaterThan(y1);
      expect(y).toBeLessThan(y2);
    }
    // Left eye is left of the right eye, eyes above the nose, nose above the mouth.
    const [le, re, nose, lm] = face?.landmarks ?? [];
    expect(le?.[0]).toBeLessThan(re?.[0] ?? 0);
    expect(le?.[1]).toBeLessThan(nose?.[1] ?? 0);
    expect(nose?.[1]).toBeLessThan(lm?.[1] ?? 0);
  });

  it('returns faces sorted by score, capped at maxFaces, when given a group photo', async () => {
    const all = await detector.detect(group);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const scores = all.map((d) => d.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const two = await detector.detect(group, { maxFaces: 2 });
    expect(two).toEqual(all.slice(0, 2));
  });

  it('returns fewer faces when minFaceSize is well above the faces in the photo', async () => {
    const all = await detector.detect(group);
    const big = await detector.detect(group, { minFaceSize: 250 });
    const largest = Math.max(...all.map((d) => d.box[2] - d.box[0]));
    expect(largest).toBeLessThan(125);
    expect(big.length).toBeLessThan(all.length);
  });

  it('returns no faces when given an image without faces', async () => {
    expect(await detector.detect(await loadFace('other/no-face/apple.jpg'))).toEqual([]);
  });

  it('returns the same result when calls overlap', async () => {
    const [a, b] = await Promise.all([detector.detect(portrait), detector.detect(group)]);
    expect(a).toEqual(await detector.detect(portrait));
    expect(b).toEqual(await detector.detect(group));
  });

  it('throws DetectInputError when the options are invalid', async () => {
    await expect(detector.detect(portrait, { factor: 1.5 })).rejects.toBeInstanceOf(DetectInputError);
    await expect(detector.detect({ width: 10, height: 10, data: new Uint8Array(5) })).rejects.toBeInstanceOf(
      DetectInputError,
    );
  });

  it('returns landmarks within 5 px in zero-fill mode (10+ px off in reference mode) when the face is cut by the image edge', async () => {
    const [truth] = await detector.detect(portrait, { edgeMode: 'reference' });
    if (truth === undefined) throw new Error('no face in the uncut portrait');
    // The face box spans x 76–174: cutting at x = 80 puts its left edge outside the image.
    const dx = 80;
    const dy = 40;
    const cut = cropImage(portrait, dx, dy, portrait.width - dx, portrait.height - dy);
    const [zero] = await detector.detect(cut, { edgeMode: 'zero-fill' });
    const [reference] = await detector.detect(cut, { edgeMode: 'reference' });
    if (zero === undefined || reference === undefined) throw new Error('the cut face was not found');
    expect(zero.box[0]).toBeLessThan(0);
    const zeroError = landmarkError(zero, truth, dx, dy);
    const referenceError = landmarkError(reference, truth, dx, dy);
    log.info('edge-cut landmark error (px)', { zeroFill: zeroError, reference: referenceError });
    expect(zeroError).toBeLessThan(5);
    expect(referenceError).toBeGreaterThan(10);
  });

  it('returns identical results in both edge modes when the face is well inside the image', async () => {
    const zero = await detector.detect(portrait, { edgeMode: 'zero-fill' });
    const reference = await detector.detect(portrait, { edgeMode: 'reference' });
    expect(zero).toEqual(reference);
  });
});
