import type { Preprocessing } from '@frs/models/manifest';
import { describe, expect, it } from 'vitest';
import {
  areaResizeInto,
  type Candidate,
  cropRegion,
  DirectArea,
  generateBoundingBoxes,
  IntegralImage,
  nmsMin,
  nmsUnion,
} from '../src/detect/mtcnn.ts';
import { tensorLayout } from '../src/onnx/layout.ts';
import type { RgbImage } from '../src/types.ts';

const PREP: Preprocessing = {
  colorOrder: 'RGB',
  layout: 'NCHW',
  mean: [127.5, 127.5, 127.5],
  std: [128, 128, 128],
  size: null,
  alignment: null,
};

/** Deterministic pseudo-random image. */
function noiseImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let x = seed;
  for (let i = 0; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return { width, height, data };
}

/** PyTorch adaptive average pooling written the obvious way, zero outside the image. */
function naiveArea(image: RgbImage, x0: number, y0: number, rw: number, rh: number, ow: number, oh: number) {
  const out = new Float64Array(3 * ow * oh);
  for (let i = 0; i < oh; i++) {
    const ya = Math.floor((i * rh) / oh);
    const yb = Math.ceil(((i + 1) * rh) / oh);
    for (let j = 0; j < ow; j++) {
      const xa = Math.floor((j * rw) / ow);
      const xb = Math.ceil(((j + 1) * rw) / ow);
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = y0 + ya; y < y0 + yb; y++) {
          for (let x = x0 + xa; x < x0 + xb; x++) {
            if (x >= 0 && y >= 0 && x < image.width && y < image.height) {
              sum += image.data[(y * image.width + x) * 3 + c] ?? 0;
            }
          }
        }
        out[c * ow * oh + i * ow + j] = (sum / ((yb - ya) * (xb - xa)) - 127.5) / 128;
      }
    }
  }
  return out;
}

function candidate(x1: number, y1: number, x2: number, y2: number, score: number): Candidate {
  return { x1, y1, x2, y2, score, r0: 0, r1: 0, r2: 0, r3: 0 };
}

describe('Function: areaResizeInto()', () => {
  const image = noiseImage(97, 61, 7);
  const integral = new IntegralImage();
  integral.build(image);
  const cases: [string, number, number, number, number, number, number][] = [
    ['downscales the whole image to a pyramid level', 0, 0, 97, 61, 59, 37],
    ['upscales a small crop', 10, 5, 13, 9, 24, 24],
    ['resizes a crop that runs past the top-left corner', -7, -4, 30, 30, 24, 24],
    ['resizes a crop that runs past the bottom-right corner', 80, 50, 40, 40, 48, 48],
  ];
  for (const [what, x0, y0, rw, rh, ow, oh] of cases) {
    it(`returns the naive adaptive average pooling when it ${what}`, () => {
      const out = new Float32Array(3 * ow * oh);
      areaResizeInto(integral, x0, y0, rw, rh, tensorLayout(PREP, ow, oh), out, 0);
      const expected = naiveArea(image, x0, y0, rw, rh, ow, oh);
      const worst = Math.max(...out.map((v, i) => Math.abs(v - (expected[i] ?? Number.NaN))));
      expect(worst).toBeLessThan(1e-6);
    });
  }
});

describe('Function: DirectArea.resizeInto()', () => {
  const image = noiseImage(211, 137, 11);
  const integral = new IntegralImage();
  integral.build(image);
  const direct = new DirectArea(image);
  const cases: [string, number, number, number, number, number, number][] = [
    ['downscales the whole image to a pyramid level', 0, 0, 211, 137, 149, 97],
    ['upscales the whole image', 0, 0, 211, 137, 254, 165],
    ['resizes a crop that runs past the top-left corner', -9, -5, 40, 40, 24, 24],
    ['resizes a crop that runs past the bottom-right corner', 190, 120, 48, 48, 48, 48],
    ['resizes a crop that lies outside the image', 300, 10, 20, 20, 24, 24],
  ];
  for (const [what, x0, y0, rw, rh, ow, oh] of cases) {
    it(`returns exactly the summed-area table's values when it ${what}`, () => {
      const layout = tensorLayout(PREP, ow, oh);
      const fromTable = new Float32Array(3 * ow * oh);
      const fromPixels = new Float32Array(3 * ow * oh);
      integral.resizeInto(x0, y0, rw, rh, layout, fromTable, 0);
      direct.resizeInto(x0, y0, rw, rh, layout, fromPixels, 0);
      expect(fromPixels).toEqual(fromTable);
    });
  }

  it('returns the matching part of the whole output when given an output window, from either source', () => {
    const [fw, fh] = [149, 97];
    const whole = new Float32Array(3 * fw * fh);
    integral.resizeInto(0, 0, 211, 137, tensorLayout(PREP, fw, fh), whole, 0);
    const [col0, row0, tw, th] = [40, 30, 61, 45];
    const layout = tensorLayout(PREP, tw, th);
    const expected = new Float32Array(3 * tw * th);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < th; y++) {
        for (let x = 0; x < tw; x++) {
          expected[c * tw * th + y * tw + x] = whole[c * fw * fh + (row0 + y) * fw + col0 + x] ?? Number.NaN;
        }
      }
    }
    for (const source of [integral, direct]) {
      const out = new Float32Array(3 * tw * th);
      source.resizeInto(0, 0, 211, 137, layout, out, 0, { fullWidth: fw, fullHeight: fh, col0, row0 });
      expect(out).toEqual(expected);
    }
  });
});

describe('Function: generateBoundingBoxes()', () => {
  it('returns level coordinates and rows when given a tile placed inside its level', () => {
    // A 3×2 tile whose only confident cell is (1, 1), placed at cell (10, 20) of its level.
    const prob = new Float32Array(12);
    prob[6 + 4] = 0.9;
    const reg = new Float32Array(24);
    const boxes: Candidate[] = [];
    const rows: number[] = [];
    generateBoundingBoxes(prob, reg, 3, 2, 0.5, 0.6, boxes, 10, 20, rows);
    expect(rows).toEqual([21]);
    expect(boxes.map((b) => [b.x1, b.y1, b.x2, b.y2])).toEqual([[46, 86, 68, 108]]);
  });
});

describe('Function: nmsUnion()', () => {
  it('returns the best box of each overlapping group when IoU exceeds the threshold', () => {
    const boxes = [
      candidate(0, 0, 10, 10, 0.8),
      candidate(1, 1, 11, 11, 0.9),
      candidate(20, 20, 30, 30, 0.7),
    ];
    expect(nmsUnion(boxes, 0.5).map((b) => b.score)).toEqual([0.9, 0.7]);
    // IoU of the first two is 81/119 ≈ 0.68: kept apart at 0.7.
    expect(nmsUnion(boxes, 0.7)).toHaveLength(3);
  });
});

describe('Function: nmsMin()', () => {
  it('returns only the outer box when a smaller box lies inside it', () => {
    const boxes = [candidate(0, 0, 100, 100, 0.99), candidate(10, 10, 30, 30, 0.98)];
    expect(nmsMin(boxes, 0.7)).toEqual([boxes[0]]);
    expect(nmsUnion(boxes, 0.7)).toHaveLength(2);
  });
});

/** The textbook quadratic greedy NMS, in the scan order the detector uses, to check the grid lookup against. */
function pairwiseNms(boxes: readonly Candidate[], threshold: number, min: boolean): Candidate[] {
  const one = min ? 1 : 0;
  const order = boxes
    .map((_, i) => i)
    .sort((a, b) => (boxes[b]?.score ?? 0) - (boxes[a]?.score ?? 0) || (min ? b - a : 0));
  const keep: Candidate[] = [];
  for (const j of order) {
    const b = boxes[j];
    if (b === undefined) continue;
    const hit = keep.some((a) => {
      const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + one;
      const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + one;
      if (!(iw > 0 && ih > 0)) return false;
      const areaA = (a.x2 - a.x1 + one) * (a.y2 - a.y1 + one);
      const areaB = (b.x2 - b.x1 + one) * (b.y2 - b.y1 + one);
      const inter = iw * ih;
      return (min ? inter / Math.min(areaA, areaB) : inter / (areaA + areaB - inter)) > threshold;
    });
    if (!hit) keep.push(b);
  }
  return keep;
}

describe('Function: nmsUnion() and nmsMin() on crowded frames', () => {
  it('returns exactly the boxes a pairwise scan keeps when boxes of mixed sizes crowd and cross the edges', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let trial = 0; trial < 20; trial++) {
      const boxes: Candidate[] = [];
      const count = 50 + Math.floor(random() * 1500);
      for (let i = 0; i < count; i++) {
        // Mostly small boxes in clusters, a few large ones and some past the image edge or inverted.
        const side = random() < 0.9 ? 12 + random() * 30 : 100 + random() * 600;
        const x = Math.floor(random() * 8) * 120 - 40 + random() * 60;
        const y = Math.floor(random() * 5) * 120 - 40 + random() * 60;
        const flip = random() < 0.02 ? -1 : 1;
        // Repeated scores exercise the tie order.
        const score = Math.round(random() * 50) / 50;
        boxes.push(candidate(x, y, x + flip * side, y + side, score));
      }
      boxes.push(candidate(0, 0, Number.POSITIVE_INFINITY, 50, 0.99), candidate(Number.NaN, 0, 10, 10, 0.98));
      for (const threshold of [0.3, 0.5, 0.7]) {
        expect(nmsUnion(boxes, threshold)).toEqual(pairwiseNms(boxes, threshold, false));
        expect(nmsMin(boxes, threshold)).toEqual(pairwiseNms(boxes, threshold, true));
      }
    }
  });
});

describe('Function: cropRegion()', () => {
  it('returns the clamped crop in reference mode and the full box in zero-fill mode when the box crosses the edge', () => {
    const box = candidate(-10.5, 5.2, 30.7, 46.4, 1);
    expect(cropRegion(box, 100, 100, 'reference')).toEqual({ x0: 0, y0: 4, w: 30, h: 42 });
    expect(cropRegion(box, 100, 100, 'zero-fill')).toEqual({ x0: -11, y0: 4, w: 41, h: 42 });
  });

  it('returns undefined when the box lies outside the image', () => {
    expect(cropRegion(candidate(120, 120, 140, 140, 1), 100, 100, 'zero-fill')).toBeUndefined();
  });
});
