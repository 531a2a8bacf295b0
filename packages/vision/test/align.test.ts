import { type Alignment, defaultModel } from '@frs/models/manifest';
import { testLogger } from '@frs/test-fixtures/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AlignmentError,
  alignFace,
  applySimilarity,
  type Similarity,
  similarityTransform,
  warpSimilarity,
} from '../src/align/index.ts';
import { createDetector, type Detector } from '../src/detect/index.ts';
import type { Detection, Point, RgbImage } from '../src/types.ts';
import { testManifest, testModelsDir } from './fixtures/models.ts';
import { loadFace } from './fixtures/shared.ts';

const log = testLogger('vision-align');

async function embedderAlignment(): Promise<Extract<Alignment, { kind: 'similarity5' }>> {
  const manifest = await testManifest();
  const alignment = defaultModel(manifest, 'embedder').preprocessing.alignment;
  if (alignment?.kind !== 'similarity5') throw new Error('default embedder has no similarity5 alignment');
  return alignment;
}

/** An image whose red channel is x, green is y and blue is constant. */
function gradientImage(width: number, height: number, blue = 100): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x, y, blue], (y * width + x) * 3);
  }
  return { width, height, data };
}

function detectionAt(landmarks: readonly Point[], box: Detection['box'] = [0, 0, 1, 1]): Detection {
  const [a, b, c, d, e] = landmarks;
  const zero: Point = [0, 0];
  return { box, score: 1, landmarks: [a ?? zero, b ?? zero, c ?? zero, d ?? zero, e ?? zero] };
}

describe('Function: similarityTransform()', () => {
  it('returns the known similarity when given points mapped by it', () => {
    const known: Similarity = { a: 1.7 * Math.cos(0.4), b: 1.7 * Math.sin(0.4), tx: -12.5, ty: 33 };
    const src: Point[] = [
      [10, 20],
      [55, 18],
      [31, 47],
      [14, 70],
      [52, 69],
    ];
    const t = similarityTransform(
      src,
      src.map((p) => applySimilarity(known, p)),
    );
    expect(t.a).toBeCloseTo(known.a, 10);
    expect(t.b).toBeCloseTo(known.b, 10);
    expect(t.tx).toBeCloseTo(known.tx, 8);
    expect(t.ty).toBeCloseTo(known.ty, 8);
  });

  it('returns the least-squares rotation when given noisy, mirrored-looking points', () => {
    // Mirrored target: the best proper similarity cannot reflect, so it must shrink towards the centroid.
    const src: Point[] = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const dst: Point[] = [
      [0, 0],
      [-10, 0],
      [0, 10],
    ];
    const t = similarityTransform(src, dst);
    expect(Math.hypot(t.a, t.b)).toBeLessThan(1);
  });

  it('throws AlignmentError when the source points coincide', () => {
    const p: Point = [5, 5];
    expect(() =>
      similarityTransform(
        [p, p, p],
        [
          [0, 0],
          [1, 1],
          [2, 2],
        ],
      ),
    ).toThrow(AlignmentError);
  });
});

describe('Function: warpSimilarity()', () => {
  it('returns the source pixels exactly when the transform is an integer translation', () => {
    const image = gradientImage(40, 30);
    const chip = warpSimilarity(image, { a: 1, b: 0, tx: -5, ty: -7 }, 10, 10);
    expect(Array.from(chip.data.subarray(0, 3))).toEqual([5, 7, 100]);
    const last = (9 * 10 + 9) * 3;
    expect(Array.from(chip.data.subarray(last, last + 3))).toEqual([14, 16, 100]);
  });

  it('returns bilinear interpolation when the transform shifts by half a pixel', () => {
    const chip = warpSimilarity(gradientImage(40, 30), { a: 1, b: 0, tx: -5.5, ty: -7 }, 4, 4);
    // Red is x: halfway between 5 and 6 rounds to 6 (5.5 → Math.round).
    expect(chip.data[0]).toBe(6);
  });

  it('returns zero or the nearest edge outside the image depending on the border option', () => {
    const image = gradientImage(20, 20, 200);
    const t: Similarity = { a: 1, b: 0, tx: 10, ty: 10 };
    const zero = warpSimilarity(image, t, 20, 20, 'zero');
    const replicate = warpSimilarity(image, t, 20, 20, 'replicate');
    expect(zero.data[2]).toBe(0);
    expect(replicate.data[2]).toBe(200);
  });
});

describe('Function: alignFace()', () => {
  let detector: Detector;
  let alignment: Extract<Alignment, { kind: 'similarity5' }>;

  beforeAll(async () => {
    detector = await createDetector({ manifest: await testManifest(), modelsDir: testModelsDir() });
    alignment = await embedderAlignment();
  });

  it('returns a chip with the eyes, nose and mouth at the template when given a real face', async () => {
    const image = await loadFace('identities/Anthony_Hopkins/00.jpg');
    const [face] = await detector.detect(image);
    if (face === undefined) throw new Error('no face found');
    const chip = alignFace(image, face, alignment);
    expect([chip.width, chip.height]).toEqual(alignment.size);
    expect(chip.detection).toBe(face);
    // The detector, run again on the chip, must find the landmarks where the template puts them.
    const [again] = await detector.detect(chip, { minFaceSize: 40 });
    if (again === undefined) throw new Error('no face found in the aligned chip');
    const errors = again.landmarks.map((p, i) =>
      Math.hypot(p[0] - (alignment.template[i]?.[0] ?? 0), p[1] - (alignment.template[i]?.[1] ?? 0)),
    );
    log.info('chip landmark distance to template (px)', { errors });
    expect(Math.max(...errors)).toBeLessThan(4);
  });

  it('returns the box region resized to the output size when the alignment is a margin crop', () => {
    const image = gradientImage(200, 200);
    const chip = alignFace(image, detectionAt([], [40, 60, 80, 100]), {
      kind: 'margin-crop',
      size: [160, 160],
      margin: 20,
    });
    expect([chip.width, chip.height]).toEqual([160, 160]);
    // Box grown by 10 px per side: pixel columns 30…89 and rows 50…109 fill the 160×160 chip.
    expect([chip.data[0], chip.data[1]]).toEqual([30, 50]);
    const last = (159 * 160 + 159) * 3;
    expect([chip.data[last], chip.data[last + 1]]).toEqual([89, 109]);
    const middle = (80 * 160 + 80) * 3;
    expect([chip.data[middle], chip.data[middle + 1]]).toEqual([60, 80]);
  });

  it('returns a chip without black borders in replicate mode when the face runs past the image edge', async () => {
    const image = await loadFace('identities/Anthony_Hopkins/00.jpg');
    const [face] = await detector.detect(image);
    if (face === undefined) throw new Error('no face found');
    // Move the face so the chip's left part lies outside the image.
    const shifted = detectionAt(face.landmarks.map(([x, y]): Point => [x - 95, y]));
    const zero = alignFace(image, shifted, alignment, { border: 'zero' });
    const replicate = alignFace(image, shifted, alignment, { border: 'replicate' });
    const blackPixels = (chip: RgbImage) => {
      let n = 0;
      for (let i = 0; i < chip.data.length; i += 3) {
        if ((chip.data[i] ?? 0) + (chip.data[i + 1] ?? 0) + (chip.data[i + 2] ?? 0) === 0) n++;
      }
      return n;
    };
    expect(blackPixels(zero)).toBeGreaterThan(500);
    expect(blackPixels(replicate)).toBeLessThan(blackPixels(zero) / 10);
  });
});
